/**
 * The audience function's ports on AWS (the twin of lib/local/audience-runtime.ts): the same list
 * and enter use cases, their member files in the stack's S3 bucket, and the file segments read
 * from the S3 objects the stack deployed them as (SEGMENT_OBJECTS), not from the bundle, so a
 * segment of millions of ids never weighs on the function's package.
 */
import type { ObjectStore } from '../audience/object-store';
import type { AudiencePorts } from '../audience/ports';
import type { Deps } from '../core/ports';
import { type AwsConfig, ConfigError, ENV } from './config';

/**
 * The AudiencePorts of the audience function. Fails the cold start (ConfigError) when the bucket
 * is not set, or a file segment of a bundled journey was not deployed as an object.
 */
export function awsAudiencePorts(deps: Deps, config: AwsConfig, objects: ObjectStore): AudiencePorts {
  const bucket = config.memberBucket;
  if (!bucket) throw new ConfigError(`${ENV.memberBucket} is required by the audience function`);
  const segments = config.segmentObjects ?? {};
  const missing = deps.catalog.all().flatMap(({ journey }) => {
    const segment = journey.audience?.segment;
    return segment && 'file' in segment && !segments[journey.id]?.[segment.file]
      ? [`${journey.id} (${segment.file})`]
      : [];
  });
  if (missing.length) {
    throw new ConfigError(`${ENV.segmentObjects} names no S3 object for the file segments of ${missing.join(', ')}`);
  }
  return {
    deps,
    objects,
    bucket,
    // The bundle holds one version of each journey. A run still going on an older one (a deploy
    // since) goes on with it, as locally: the members are the same people, and entry is
    // idempotent per (journey, customer, runAt).
    version(journey) {
      const entry = deps.catalog.get(journey);
      if (!entry?.journey.audience) return undefined;
      return {
        entry,
        async segmentFile(file) {
          const at = segments[journey]?.[file];
          return at ? objects.get(at.bucket, at.key) : undefined;
        },
      };
    },
  };
}
