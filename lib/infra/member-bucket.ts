/**
 * Where audience runs keep their member files on AWS (SPEC §6): one bucket, encrypted with the data
 * key, private, TLS only; member files expire a week after they are written, since they hold
 * customer ids and a run is over within hours (a run waits at most a day between its first and
 * last local-time group). File segments deployed with the stack are S3 assets (segmentObjects).
 */

import { dirname, resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';
import type { ObjectLocation, SegmentObjects } from '../aws/config';
import type { LoadedJourney } from '../journey/load';
import { acknowledgeFinding } from './nag';

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
