/**
 * The customers behind the console's counts, and the list of customers, for `baton dev` only.
 * Both scan the customers' items, which is acceptable on a laptop's worth of data and never done
 * on AWS (the routes are local only, as console-stats.ts). Pages are in customer id order and a
 * page holds at most `limit` customers, whatever the table holds: the scan keeps only the
 * `limit + 1` smallest ids after the cursor, so memory stays bounded.
 */
import type { TimelineEntry, TimelineKind } from '../core/timeline';
import { keys } from '../store/keys';
import type { Table } from '../store/port';

/** Which timeline lines count: a journey's, of a kind, optionally at a step, for a reason, on a channel. */
export interface LineFilter {
  journey: string;
  kind: TimelineKind;
  step?: string;
  reason?: string;
  channel?: string;
}

/** A customer behind a count: how many of the matching lines are theirs, and the latest one's time. */
export interface CustomerBehind {
  customerId: string;
  lines: number;
  lastAt: string;
}

/** A customer of the list: whether a profile is stored, how many timeline lines, and the latest one's time. */
export interface CustomerSummary {
  customerId: string;
  profile: boolean;
  lines: number;
  lastAt?: string;
}

/** One page: `next` is the cursor of the following page, absent on the last. */
export interface CustomerPage<T> {
  customers: T[];
  next?: string;
}

const CUSTOMER_PREFIX = keys.customer('');

/** The customers whose timeline has lines matching `filter`, a page at a time after `cursor`. */
export async function customersBehind(
  table: Pick<Table, 'scanPrefixPages'>,
  filter: LineFilter,
  page: { limit: number; cursor?: string },
): Promise<CustomerPage<CustomerBehind>> {
  const kept = new SmallestIds<CustomerBehind>(page.limit + 1, page.cursor);
  for await (const items of table.scanPrefixPages(CUSTOMER_PREFIX)) {
    for (const item of items) {
      if (!item.sk.startsWith(keys.timelinePrefix) || !item.entry) continue;
      const e = item.entry as TimelineEntry;
      if (!matches(e, filter)) continue;
      const found = kept.get(e.customerId);
      if (found) {
        found.lines++;
        if (e.at > found.lastAt) found.lastAt = e.at;
      } else kept.offer(e.customerId, { customerId: e.customerId, lines: 1, lastAt: e.at });
    }
  }
  return kept.page(page.limit);
}

/** Every customer the table knows (a profile or any timeline line), a page at a time after `cursor`. */
export async function listCustomers(
  table: Pick<Table, 'scanPrefixPages'>,
  page: { limit: number; cursor?: string },
): Promise<CustomerPage<CustomerSummary>> {
  const kept = new SmallestIds<CustomerSummary>(page.limit + 1, page.cursor);
  for await (const items of table.scanPrefixPages(CUSTOMER_PREFIX)) {
    for (const item of items) {
      const isProfile = item.sk === keys.profile;
      const entry = item.sk.startsWith(keys.timelinePrefix) ? (item.entry as TimelineEntry | undefined) : undefined;
      if (!isProfile && !entry) continue;
      const customerId = item.pk.slice(CUSTOMER_PREFIX.length);
      const c = kept.get(customerId) ?? kept.offer(customerId, { customerId, profile: false, lines: 0 });
      if (!c) continue;
      if (isProfile) c.profile = true;
      if (entry) {
        c.lines++;
        if (!c.lastAt || entry.at > c.lastAt) c.lastAt = entry.at;
      }
    }
  }
  return kept.page(page.limit);
}

function matches(e: TimelineEntry, f: LineFilter): boolean {
  return (
    e.journey === f.journey &&
    e.kind === f.kind &&
    (f.step === undefined || e.step === f.step) &&
    (f.reason === undefined || (e.reason ?? 'unknown') === f.reason) &&
    (f.channel === undefined || e.channel === f.channel)
  );
}

/**
 * The `size` smallest customer ids after `after`, with a value each. A scan visits customers in
 * no promised order, so an id may be offered after larger ones were kept: the largest then goes.
 */
class SmallestIds<T> {
  private readonly kept = new Map<string, T>();
  private largest: string | undefined;

  constructor(
    private readonly size: number,
    private readonly after: string | undefined,
  ) {}

  get(id: string): T | undefined {
    return this.kept.get(id);
  }

  /** Keep `value` for `id` if it is among the smallest; the kept value, or undefined when it is not. */
  offer(id: string, value: T): T | undefined {
    if (this.after !== undefined && id <= this.after) return undefined;
    if (this.kept.size >= this.size) {
      if (this.largest === undefined || id > this.largest) return undefined;
      this.kept.delete(this.largest);
    }
    this.kept.set(id, value);
    this.largest = [...this.kept.keys()].reduce((a, b) => (b > a ? b : a));
    return value;
  }

  /** The first `limit` in id order, and the cursor of the next page when more were kept. */
  page(limit: number): CustomerPage<T> {
    const ids = [...this.kept.keys()].sort();
    const customers = ids.slice(0, limit).map((id) => this.kept.get(id) as T);
    return ids.length > limit ? { customers, next: ids[limit - 1] } : { customers };
  }
}
