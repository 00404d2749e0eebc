/**
 * The ObjectStore port (lib/audience/object-store.ts) over Amazon S3: where the audience function
 * writes a run's member files, which the run's Distributed Map reads back, and reads the segment
 * files deployed with the stack. A PutObject replaces an object whole, as the port promises.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../audience/object-store';
import { traced } from './tracer';

let defaultClient: S3Client | undefined;

/** The process-wide client, built on first use (region and credentials from the Lambda environment). */
export function defaultS3Client(): S3Client {
  defaultClient ??= traced(new S3Client({}));
  return defaultClient;
}

/** An object S3 could not read or write; names the bucket and key, keeps the SDK error as `cause`. */
export class ObjectStoreError extends Error {
  override readonly name = 'Baton.ObjectStoreError';
  constructor(action: 'read' | 'write', bucket: string, key: string, cause: unknown) {
    super(`could not ${action} s3://${bucket}/${key}: ${(cause as Error)?.name ?? 'unknown error'}`, { cause });
  }
}

/** An ObjectStore backed by `client`. Member files are JSONL: their content type says so. */
export function s3ObjectStore(client: S3Client = defaultS3Client()): ObjectStore {
  return {
    async put(bucket, key, body) {
      try {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }),
        );
      } catch (err) {
        throw new ObjectStoreError('write', bucket, key, err);
      }
    },
    async get(bucket, key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return out.Body ? await out.Body.transformToString('utf8') : '';
      } catch (err) {
        // A missing object is an answer (undefined), not a failure: the use case says what is missing.
        if (err instanceof NoSuchKey || (err as Error)?.name === 'NoSuchKey') return undefined;
        throw new ObjectStoreError('read', bucket, key, err);
      }
    },
  };
}

/** The objects port of the audience function (see ROLE_PORTS in runtime.ts). */
export function awsObjects(clients: { s3?: S3Client }): ObjectStore {
  return s3ObjectStore(clients.s3);
}
