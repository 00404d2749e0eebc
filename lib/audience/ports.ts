/** What the audience use cases (list, enter) take: the engine's Deps, member files, and the journey versions. */
import type { CatalogEntry } from '../core/catalog';
import type { Deps } from '../core/ports';
import type { ObjectStore } from './object-store';

/** One version of an audience journey, as a run of it needs it. */
export interface AudienceVersion {
  entry: CatalogEntry;
  /** The text of a segment file of the journey (beside the journey file locally, an S3 object on AWS); undefined when missing. */
  segmentFile(file: string): Promise<string | undefined>;
}

export interface AudiencePorts {
  deps: Deps;
  objects: ObjectStore;
  /** The bucket a run's member files are written to. */
  bucket: string;
  /** A version of an audience journey, also one no longer current: a run finishes on the version it started. */
  version(journey: string, version: number): AudienceVersion | undefined;
}

/** A run names a journey version this process does not have. */
export class UnknownAudienceVersionError extends Error {
  override readonly name = 'Baton.UnknownAudienceVersion';
  constructor(journey: string, version: number) {
    super(`no audience journey ${journey} version ${version} here: deploy it, or let the run fail`);
  }
}

/** The version a run names, or an UnknownAudienceVersionError. */
export function versionOf(ports: AudiencePorts, journey: string, version: number): AudienceVersion {
  const v = ports.version(journey, version);
  if (!v?.entry.journey.audience) throw new UnknownAudienceVersionError(journey, version);
  return v;
}
