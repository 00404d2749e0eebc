/**
 * Where a run's member files live (ARCHITECTURE.md decision 7): S3 on AWS, a directory locally,
 * laid out as the local engine's Map reads S3 (`<dir>/<bucket>/<key>`). The port speaks objects,
 * not files, so the list use case is the same on both.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/** Text objects by bucket and key. */
export interface ObjectStore {
  /** Write an object whole: a reader sees the old one or the new one, never part of it. */
  put(bucket: string, key: string, body: string): Promise<void>;
  /** An object's text, or undefined when there is none. */
  get(bucket: string, key: string): Promise<string | undefined>;
}

/** A bucket or key that would leave the directory (`..`, an absolute path). */
export class ObjectKeyError extends Error {
  override readonly name = 'ObjectKeyError';
  constructor(bucket: string, key: string) {
    super(`object ${bucket}/${key} is not a plain bucket and key: no "..", no leading "/"`);
  }
}

/** Objects as files under `root`: `<root>/<bucket>/<key>`. */
export function directoryObjectStore(root: string): ObjectStore {
  const base = resolve(root);
  const pathOf = (bucket: string, key: string) => {
    const path = resolve(base, bucket, key);
    const parts = [bucket, ...key.split('/')];
    if (!path.startsWith(base + sep) || parts.some((p) => p === '' || p === '.' || p === '..'))
      throw new ObjectKeyError(bucket, key);
    return path;
  };
  let written = 0;
  return {
    async put(bucket, key, body) {
      const path = pathOf(bucket, key);
      mkdirSync(dirname(path), { recursive: true });
      // Written beside, then renamed over: a crash mid-write never leaves half an object.
      const partial = join(dirname(path), `.${process.pid}.${written++}.partial`);
      writeFileSync(partial, body);
      renameSync(partial, path);
    },
    async get(bucket, key) {
      try {
        return readFileSync(pathOf(bucket, key), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
  };
}
