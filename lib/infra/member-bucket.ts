/**
 * Where audience runs keep their member files on AWS (SPEC §6): one bucket, encrypted with the data
 * key, private, TLS only; member files expire a week after they are written, since they hold
 * customer ids and a run is over within hours (a run waits at most a day between its first and
 * last local-time group). File segments deployed with the stack are S3 assets (segmentObjects).
 */

import { dirname, resolve } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';
import type { ObjectLocation, SegmentObjects } from '../aws/config';
import type { LoadedJourney } from '../journey/load';
import { acknowledgeFinding, defaultPolicyOf } from './nag';

/** The key prefix of member files: lib/audience/run-identity.ts memberFileKey. */
export const MEMBER_FILES_PREFIX = 'runs/';
/** How long a member file is kept. */
export const MEMBER_FILES_EXPIRY = Duration.days(7);

/** The member bucket. */
export function memberBucket(scope: Construct, id: string, key: kms.IKey): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    // One data key per bucket and day, not per object: member files are many and written at once.
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    lifecycleRules: [
      { id: 'member-files-expire', prefix: MEMBER_FILES_PREFIX, expiration: MEMBER_FILES_EXPIRY },
      { id: 'abandoned-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
    // Emptied by its lifecycle; a bucket with objects cannot be deleted with the stack anyway.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeFinding(
    bucket,
    'AwsSolutions-S1',
    'The member bucket holds short-lived files written by the audience function and read by the runs only; ' +
      'its reads and writes are in those executions and functions, and access logs would keep customer ids past the files',
  );
  return bucket;
}

/**
 * Each file segment of the audience journeys as an S3 asset (uploaded by `cdk deploy`, no Lambda,
 * no Docker): journey id → file → its object. A changed file is a new object, so a function and
 * its runs always read the file they were deployed with.
 */
export function segmentAssets(
  scope: Construct,
  journeys: LoadedJourney[],
): {
  objects: SegmentObjects;
  assets: s3assets.Asset[];
} {
  const objects: SegmentObjects = {};
  const assets: s3assets.Asset[] = [];
  for (const { journey, file } of journeys) {
    const segment = journey.audience?.segment;
    if (!segment || !('file' in segment)) continue;
    const asset = new s3assets.Asset(scope, `Segment-${journey.id}`, { path: resolve(dirname(file), segment.file) });
    const at: ObjectLocation = { bucket: asset.s3BucketName, key: asset.s3ObjectKey };
    objects[journey.id] = { [segment.file]: at };
    assets.push(asset);
  }
  return { objects, assets };
}

/**
 * What the audience function does with S3: write member files under `runs/` (encrypted with the
 * data key, used through S3 only), and read exactly the segment objects deployed with it.
 */
export function grantMemberFiles(fn: lambda.IFunction, bucket: s3.IBucket, key: kms.IKey, segments: s3assets.Asset[]) {
  const stack = Stack.of(bucket);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${MEMBER_FILES_PREFIX}*`)],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
    }),
  );
  if (!segments.length) return;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: segments.map((a) => `arn:${stack.partition}:s3:::${a.s3BucketName}/${a.s3ObjectKey}`),
    }),
  );
}

/** The audience function's one wildcard beyond every function's: the member files it names per run. */
export function acknowledgeMemberWrites(fn: lambda.IFunction, bucket: s3.Bucket): void {
  if (!fn.role) throw new Error('the audience function has no role');
  const logicalId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
  acknowledgeFinding(
    defaultPolicyOf(fn.role),
    `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${MEMBER_FILES_PREFIX}*]`,
    "The audience function writes each run's member files, named per run at run time, under the member bucket's runs/ prefix only",
  );
}
