/**
 * A function's access to the table: exactly the DynamoDB actions its handler makes (TABLE_ACCESS,
 * lib/aws/table-access.ts), on the table itself, in the partitions it touches; Query on the index
 * only for the functions that list from it, in its partitions they read; and the data key, only as
 * DynamoDB uses it on the function's behalf.
 * CDK's grantReadWriteData would add Scan, the Batch* actions, ConditionCheckItem, DescribeTable
 * and the index, none of which a Baton function calls.
 */
import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { TableAccess } from '../aws/table-access';
import { TABLE_KEYS } from '../store/dynamo-table';

/**
 * What DynamoDB does with a customer-managed key when a principal reads or writes an item (the
 * set CDK's table grants give for it): allowed only through DynamoDB in this region, so the role
 * cannot use the key directly.
 */
export const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

/** Grant `grantee` the table actions and partitions of `access`, and the key's use through DynamoDB. */
export function grantTableAccess(
  grantee: iam.IGrantable,
  table: dynamodb.TableV2,
  key: kms.IKey,
  access: TableAccess,
): void {
  const principal = grantee.grantPrincipal;
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: access.actions.map((a) => `dynamodb:${a}`),
      resources: [table.tableArn],
      // Every key a request names must start with one of these partitions (Query: its partition).
      conditions: access.partitions
        ? { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.partitions.map((p) => `${p}*`) } }
        : undefined,
    }),
  );
  if (access.index) {
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${TABLE_KEYS.gsi1}`],
        // On an index, LeadingKeys is the index's partition key.
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.index.partitions.map((p) => `${p}*`) },
        },
      }),
    );
  }
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: TABLE_KEY_ACTIONS,
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(table).region}.amazonaws.com` } },
    }),
  );
}
