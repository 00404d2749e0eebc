/** The journeys an engine serves, by id and by the events they react to. */
import type { Journey } from '../journey/schema';

export interface CatalogEntry {
  journey: Journey;
  stateMachineArn: string;
  templatesDir: string;
}

export class JourneyCatalog {
  private readonly byIdMap = new Map<string, CatalogEntry>();

  constructor(entries: CatalogEntry[]) {
    for (const e of entries) this.byIdMap.set(e.journey.id, e);
  }

  get(id: string): CatalogEntry | undefined {
    return this.byIdMap.get(id);
  }

  all(): CatalogEntry[] {
    return [...this.byIdMap.values()];
  }

  /** Journeys started by events of this type. */
  triggeredBy(type: string): CatalogEntry[] {
    return this.all().filter((e) => e.journey.trigger.event === type);
  }
}
