/** The timeline: every entry, step, message and exit of a customer, also what `baton simulate` prints. */
import { countLine } from '../results/lines';
import { keys } from '../store/keys';
import type { Table } from '../store/port';
import { iso, visitTime } from './iso-time';
import type { Deps } from './ports';

export { iso };

export type TimelineKind =
  | 'entered'
  | 'ignored'
  | 'sent'
  | 'suppressed'
  | 'handoff'
  | 'action'
  | 'escalated'
  | 'optimized'
  | 'exited'
  | 'note';
/** The kinds `baton simulate` prints (SPEC §4); notes stay in the timeline only. */
export const SIMULATE_KINDS: readonly TimelineKind[] = [
  'entered',
  'ignored',
  'sent',
  'suppressed',
  'handoff',
  'action',
  'escalated',
  'optimized',
  'exited',
];

/**
 * Within one instant, entries list in the order they usually happen to an instance (an escalation
 * leads to a hand-off, then a call, then a message); the timeline has millisecond times, not a sequence.
 */
const KIND_ORDER: Record<TimelineKind, number> = {
  entered: 1,
  ignored: 1,
  escalated: 3,
  optimized: 3,
  handoff: 4,
  action: 5,
  sent: 6,
  suppressed: 6,
  note: 6,
  exited: 9,
};

/** One line of SPEC §4, field order as printed. */
export interface TimelineEntry {
  at: string;
  kind: TimelineKind;
  journey: string;
  version: number;
  customerId: string;
  instance: string;
  step?: string;
  channel?: string;
  template?: string;
  messageId?: string;
  reason?: string;
  /** Why a failed instance failed (an `exited` line with reason `failed`). */
  error?: string;
}

/**
 * Record an entry. `key` makes the write idempotent: the same key is recorded once, so a
 * retried handler does not print a line twice. Returns false when it was already there. A line
 * written for the first time is added to the results' counters, with `also` (lib/results/lines.ts).
 */
export async function record(
  deps: Pick<Deps, 'table' | 'onTimeline'>,
  entry: TimelineEntry,
  key: string,
  also?: Record<string, number>,
): Promise<boolean> {
  const fresh = await deps.table.put(
    { pk: keys.customer(entry.customerId), sk: keys.timeline(entry.at, `${KIND_ORDER[entry.kind]}#${key}`), entry },
    { ifAbsent: true },
  );
  if (fresh) {
    await countLine(deps.table, entry, also);
    deps.onTimeline?.(normalize(entry));
  }
  return fresh;
}

export interface TimelinePage {
  entries: TimelineEntry[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  next?: string;
}

/** One page of the customer's timeline, newest first; undefined when the cursor is not one we gave out. */
export async function listTimeline(
  table: Table,
  customerId: string,
  opts: { limit?: number; cursor?: string } = {},
): Promise<TimelinePage | undefined> {
  const startKey = opts.cursor ? cursorKey(opts.cursor, customerId) : undefined;
  if (opts.cursor && !startKey) return undefined;
  const page = await table.query(keys.customer(customerId), {
    prefix: keys.timelinePrefix,
    newestFirst: true,
    limit: opts.limit ?? 50,
    startKey,
  });
  return {
    entries: page.items.map((i) => i.entry as TimelineEntry),
    ...(page.nextKey ? { next: Buffer.from(JSON.stringify(page.nextKey)).toString('base64url') } : {}),
  };
}

/** DynamoDB's longest sort key. */
const MAX_SORT_KEY_BYTES = 1024;

/**
 * The key a cursor of ours holds, or undefined for anything else: exactly `{pk, sk}`, strings, in
 * this customer's timeline (DynamoDB fails a query, a 500, on any other start key).
 */
function cursorKey(cursor: string, customerId: string): { pk: string; sk: string } | undefined {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) return undefined;
  const { pk, sk, ...rest } = key as Record<string, unknown>;
  const ok =
    Object.keys(rest).length === 0 &&
    pk === keys.customer(customerId) &&
    typeof sk === 'string' &&
    sk.startsWith(keys.timelinePrefix) &&
    Buffer.byteLength(sk) <= MAX_SORT_KEY_BYTES;
  return ok ? { pk, sk } : undefined;
}

function normalize(e: TimelineEntry): TimelineEntry {
  const out: TimelineEntry = {
    at: e.at,
    kind: e.kind,
    journey: e.journey,
    version: e.version,
    customerId: e.customerId,
    instance: e.instance,
  };
  for (const k of ['step', 'channel', 'template', 'messageId', 'reason', 'error'] as const)
    if (e[k] !== undefined) out[k] = e[k];
  return out;
}

/**
 * A timeline note about a step of an instance (kept in the timeline, not printed by simulate),
 * dated when the task's state visit began (its `visit`, else the visit its counts carry), the same
 * on every Retry: its key holds the time, so a retried task writes the note once.
 */
export async function recordNote(
  deps: Pick<Deps, 'table' | 'clock' | 'onTimeline'>,
  on: {
    journey: string;
    version: number;
    customerId: string;
    instance: string;
    step: string;
    visit?: string;
    counted?: { entered?: string };
  },
  note: string,
): Promise<void> {
  const at = visitTime(on.visit ?? on.counted?.entered, deps.clock.now());
  const { journey, version, customerId, instance, step } = on;
  await record(
    deps,
    { at, kind: 'note', journey, version, customerId, instance, step, reason: note },
    `${instance}#${step}#note#${at}`,
  );
}
