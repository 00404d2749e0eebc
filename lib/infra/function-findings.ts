/**
 * The cdk-nag findings of Baton's functions, each acknowledged on the one resource it is about
 * (the function, its role, or its role's policy) with the reason it is right for that function.
 */
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { acknowledgeFinding, defaultPolicyOf } from './nag';

/** What a function's policy holds that cdk-nag reports, beyond what every function has. */
export interface FunctionExtras {
  /** Lambda's on-failure destination writes to an encrypted queue (CDK's queue grant uses the key). */
  failureQueue?: boolean;
  /** The reason for `Resource::*` beyond X-Ray's, when the function has one (send: SMS publish). */
  wildcardResource?: string;
}

const XRAY = 'X-Ray tracing: xray:PutTraceSegments and PutTelemetryRecords have no resource-level permissions';

/** Acknowledge the findings of one function, named `name` in the reasons. */
export function acknowledgeFunctionFindings(name: string, f: lambda.Function, extras: FunctionExtras = {}): void {
  if (!f.role) throw new Error(`the ${name} function has no role to acknowledge findings on`);
  const policy = defaultPolicyOf(f.role);
  acknowledgeFinding(
    f.role,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    `The ${name} function writes its own logs: AWSLambdaBasicExecutionRole grants only logs:CreateLogGroup, CreateLogStream and PutLogEvents`,
  );
  const key =
    `The ${name} function's table reads and writes: DynamoDB uses Baton's data key on its behalf; the statement names that one key ` +
    'and holds only through DynamoDB (kms:ViaService)' +
    (extras.failureQueue ? "; and CDK's grant to send to the encrypted on-failure queue with that key" : '');
  acknowledgeFinding(policy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', key);
  acknowledgeFinding(policy, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', key);
  acknowledgeFinding(
    policy,
    'AwsSolutions-IAM5[Resource::*]',
    extras.wildcardResource ? `${extras.wildcardResource}; and ${XRAY}` : `The ${name} function's ${XRAY}`,
  );
  acknowledgeFinding(
    f,
    'AwsSolutions-L1',
    `The ${name} function is pinned to Node.js 22 on purpose: the esbuild target and the tested runtime; upgrades are deliberate`,
  );
}
