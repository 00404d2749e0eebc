/** The journeys an engine serves, by id and by the events they react to. */
import type { Journey } from '../journey/schema';

export interface CatalogEntry {
  journey: Journey;
  stateMachineArn: string;
  templatesDir: string;
}

export class JourneyCatalog {
  private byIdMap = new Map<string, CatalogEntry>();

  constructor(entries: CatalogEntry[]) {
    for (const e of entries) this.byIdMap.set(e.journey.id, e);
  }

  /** Add a journey, or replace it with a newer version (new entries start the newer one). */
  set(entry: CatalogEntry): void {
    this.byIdMap.set(entry.journey.id, entry);
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
  triggeredBy(type: string): CatalogEntry[] {
    return this.all().filter((e) => e.journey.trigger?.event === type);
  }
}
