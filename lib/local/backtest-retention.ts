/**
 * What `baton simulate` forgets, so that a backtest of any length holds memory flat: records no
 * line of the run can depend on any more get an expiry (`expiresAt`) as they are written, and the
 * memory store sweeps them once the virtual clock has passed it (ARCHITECTURE.md decision 3: TTL
 * is enforced on read, and swept locally). What a journey can still read — profiles, instances,
 * the message ledger, entry counts, caps, engagement — is kept for the whole run.
 *
 * These rules know the key layout (lib/store/keys.ts, the engine's `X#` records): a new kind of
 * record is kept unless a rule here names it.
 */
import { MAX_SESSION_TIMEOUT_SECONDS } from '../journey/escalation-rules';
import { keys } from '../store/keys';
import {
  type Cond,
  type Item,
  type Page,
  type QueryOptions,
  type Table,
  TTL_ATTRIBUTE,
  type Update,
  type WriteOp,
  when,
} from '../store/port';

/** A kind of record a backtest keeps only for a while after it is written. */
export interface RetentionRule {
  /** What the record is, and why the run can do without it once the time is up. */
  what: string;
  /** How its partition key starts (the rule is only asked about these: most writes match no prefix). */
  pkPrefix: string;
  /** Whether a write is of this kind: its sort key and the attributes it writes (all of a put, those an update sets). */
  matches(sk: string, attributes: Record<string, unknown>): boolean;
  /**
   * How long after it is written the record is kept, in seconds. 0: not kept at all. A put of it
   * is made as a delete under the put's condition (absent, for a put only if absent), so its
   * caller gets the answer the put would have given and nothing is stored: an earlier version of
   * the record goes, as the put would have replaced it. An update still writes, with an expiry.
   */
  keepSeconds: number;
}

const HOUR = 3600;
const DAY = 86_400;
const CUSTOMER = keys.customer('');
const always = () => true;

export const BACKTEST_RETENTION: readonly RetentionRule[] = [
  {
    what: 'a closed execution: no step reads it again, and a second start of its instance is refused by the instance record',
    pkPrefix: 'X#',
    matches: (_sk, a) => isClosed(a) && !isMapChild(a),
    keepSeconds: 0,
  },
  {
    what: "a closed child of a Map (an audience run's batch): its parent reads it once, when the close wakes it",
    pkPrefix: 'X#',
    matches: (_sk, a) => isClosed(a) && isMapChild(a),
    keepSeconds: DAY,
  },
  {
    what: 'a message in the local outbox: a backtest prints lines, nobody reads these',
    pkPrefix: keys.outbox,
    matches: always,
    keepSeconds: 0,
  },
  {
    what: 'a delivery in the dispatch log: a backtest prints lines, nobody reads these',
    pkPrefix: keys.dispatches,
    matches: always,
    keepSeconds: 0,
  },
  {
    what: 'a processed event: a redelivery of it within a day (EventBridge retries for 24 hours) is still a duplicate',
    pkPrefix: keys.event(''),
    matches: (_sk, a) => a.status === 'done',
    keepSeconds: DAY,
  },
  {
    what: 'a printed timeline line: its key keeps a retried step from printing it twice, and retries take minutes',
    pkPrefix: CUSTOMER,
    matches: (sk) => sk.startsWith(keys.timelinePrefix),
    keepSeconds: DAY,
  },
  {
    what: 'a session: once quiet for the longest session timeout it is never live again, and only live sessions count',
    pkPrefix: CUSTOMER,
    matches: (sk) => sk.startsWith(keys.session('')),
    keepSeconds: MAX_SESSION_TIMEOUT_SECONDS,
  },
];

function isClosed(a: Record<string, unknown>): boolean {
  return (a.execution as { status?: string } | undefined)?.status !== 'RUNNING';
}

function isMapChild(a: Record<string, unknown>): boolean {
  return (a.execution as { parent?: unknown } | undefined)?.parent !== undefined;
}

/** The same table, with an expiry added to what the rules name as it is written. */
export function retaining(table: Table, rules: readonly RetentionRule[], now: () => number): Table {
  return rules.length ? new RetainingTable(table, rules, now) : table;
}

class RetainingTable implements Table {
  constructor(
    private readonly inner: Table,
    private readonly rules: readonly RetentionRule[],
    private readonly now: () => number,
  ) {}

  get usage() {
    return this.inner.usage;
  }

  /** The rule a write falls under, unless it sets an expiry of its own. */
  private ruleOf(pk: string, sk: string, attributes: Record<string, unknown>): RetentionRule | undefined {
    if (typeof attributes[TTL_ATTRIBUTE] === 'number') return undefined;
    for (const rule of this.rules) if (pk.startsWith(rule.pkPrefix) && rule.matches(sk, attributes)) return rule;
    return undefined;
  }

  /**
   * The expiry a rule gives a write: at the end of the hour its time is up in, so that a record
   * rewritten often (a session at each touchpoint) keeps one expiry an hour.
   */
  private expiry(rule: RetentionRule): number {
    return Math.ceil((this.now() / 1000 + rule.keepSeconds) / HOUR) * HOUR;
  }

  put(item: Item, opts?: { ifAbsent?: boolean; if?: Cond }): Promise<boolean> {
    const rule = this.ruleOf(item.pk, item.sk, item);
    if (rule === undefined) return this.inner.put(item, opts);
    if (rule.keepSeconds === 0)
      return this.inner.delete(item.pk, item.sk, { if: opts?.ifAbsent ? when.itemAbsent : opts?.if });
    return this.inner.put({ ...item, [TTL_ATTRIBUTE]: this.expiry(rule) }, opts);
  }
  update(pk: string, sk: string, changes: Update, opts?: { if?: Cond }): Promise<Item | undefined> {
    const rule = this.ruleOf(pk, sk, changes.set ?? {});
    const withAt =
      rule === undefined ? changes : { ...changes, set: { ...changes.set, [TTL_ATTRIBUTE]: this.expiry(rule) } };
    return this.inner.update(pk, sk, withAt, opts);
  }
  write(ops: WriteOp[]): Promise<void> {
    return this.inner.write(
      ops.map((op) => {
        if (!('put' in op)) return op;
        const { pk, sk } = op.put;
        const rule = this.ruleOf(pk, sk, op.put);
        if (rule === undefined) return op;
        if (rule.keepSeconds === 0) return { delete: { pk, sk } };
        return { put: { ...op.put, [TTL_ATTRIBUTE]: this.expiry(rule) } };
      }),
    );
  }
  get(pk: string, sk: string): Promise<Item | undefined> {
    return this.inner.get(pk, sk);
  }
  delete(pk: string, sk: string, opts?: { if?: Cond }): Promise<boolean> {
    return this.inner.delete(pk, sk, opts);
  }
  query(pk: string, opts?: QueryOptions): Promise<Page> {
    return this.inner.query(pk, opts);
  }
  queryAll(pk: string, opts?: Omit<QueryOptions, 'startKey' | 'limit'>): Promise<Item[]> {
    return this.inner.queryAll(pk, opts);
  }
  queryIndexAll(gsi1pk: string): Promise<Item[]> {
    return this.inner.queryIndexAll(gsi1pk);
  }
  scanPrefixPages(prefix: string): AsyncGenerator<Item[]> {
    return this.inner.scanPrefixPages(prefix);
  }
  scanPrefix(prefix: string): Promise<Item[]> {
    return this.inner.scanPrefix(prefix);
  }
}
