/** The journeys an engine serves, by id and by the events they react to. */
import type { Journey } from '../journey/schema';

export interface CatalogEntry {
  journey: Journey;
  stateMachineArn: string;
  templatesDir: string;
}

export class JourneyCatalog {
  private byIdMap = new Map<string, CatalogEntry>();
  /** What every event asks of the journeys (derived once, until a journey is set). */
  private memo = new Map<string, unknown>();

  constructor(entries: CatalogEntry[]) {
    for (const e of entries) this.byIdMap.set(e.journey.id, e);
  }

  /** Add a journey, or replace it with a newer version (new entries start the newer one). */
  set(entry: CatalogEntry): void {
    this.byIdMap.set(entry.journey.id, entry);
    this.memo.clear();
  }

  /** A value derived from the journeys, computed once until the catalog changes (callers must not change it). */
  derived<T>(key: string, compute: (journeys: Journey[]) => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = compute(this.all().map((e) => e.journey));
    this.memo.set(key, value);
    return value;
  }

  /** The journey whose state machine (any version of it) this is. */
  byStateMachine(arn: string): CatalogEntry | undefined {
    return this.all().find((e) => {
      const base = e.stateMachineArn.replace(/:\d+$/, '');
      return arn === e.stateMachineArn || arn === base || arn.startsWith(`${base}:`);
    });
  }

  get(id: string): CatalogEntry | undefined {
    return this.byIdMap.get(id);
  }

  all(): CatalogEntry[] {
    return [...this.byIdMap.values()];
  }

  /** Journeys started by events of this type (never an audience journey: its runs start it). */
  triggeredBy(type: string): readonly CatalogEntry[] {
    const key = `triggeredBy\u0000${type}`;
    if (!this.memo.has(key))
      this.memo.set(
        key,
        this.all().filter((e) => e.journey.trigger?.event === type),
      );
    return this.memo.get(key) as CatalogEntry[];
  }
}
