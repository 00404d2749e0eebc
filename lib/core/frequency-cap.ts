/**
 * Frequency caps (SPEC §3): marketing messages per customer in a rolling window, across all
 * journeys (scope customer) or within one (scope journey). Every marketing send is logged in both
 * logs; a capped send reserves its slot with a compare-and-set on the log's version, so N
 * concurrent instances can never exceed the cap.
 */

import { keys } from '../store/keys';
import type { Table } from '../store/port';
import { when } from '../store/port';

export interface CapRule {
  max: number;
  perSeconds: number;
  scope: 'customer' | 'journey';
}

interface Slot {
  at: number;
  messageId: string;
}

/** Logs keep at most this long a history; longer windows than this are not allowed by validation. */
const KEEP_MS = 366 * 86_400_000;
const MAX_ATTEMPTS = 20;

function logKey(scope: 'customer' | 'journey', journey: string): string {
  return scope === 'customer' ? keys.capLog('customer') : keys.capLog(`journey#${journey}`);
}

async function readLog(table: Table, pk: string, sk: string) {
  const item = await table.get(pk, sk);
  return {
    slots: ((item?.slots as Slot[] | undefined) ?? []).filter((s) => typeof s.at === 'number'),
    v: (item?.v as number | undefined) ?? 0,
    exists: !!item,
  };
}

/** Whether the cap leaves room now (a hint for channel choice; `reserve` decides). */
export async function capAllows(
  table: Table,
  customerId: string,
  journey: string,
  rule: CapRule,
  now: number,
): Promise<boolean> {
  const { slots } = await readLog(table, keys.customer(customerId), logKey(rule.scope, journey));
  return slots.filter((s) => s.at > now - rule.perSeconds * 1000).length < rule.max;
}

/**
 * Append a send to the customer and journey logs. With a rule, the append to the rule's log is
 * conditional on room in the window; returns false when the cap is reached. Idempotent per message.
 */
export async function reserveSend(
  table: Table,
  customerId: string,
  journey: string,
  messageId: string,
  now: number,
  rule?: CapRule,
): Promise<boolean> {
  const pk = keys.customer(customerId);
  const logs: { sk: string; rule?: CapRule }[] = [
    { sk: logKey('customer', journey), rule: rule?.scope === 'customer' ? rule : undefined },
    { sk: logKey('journey', journey), rule: rule?.scope === 'journey' ? rule : undefined },
  ];
  // The capped log first: when it is full, nothing is logged anywhere.
  logs.sort((a, b) => Number(!!b.rule) - Number(!!a.rule));
  for (const log of logs) {
    if (!(await appendSlot(table, pk, log.sk, messageId, now, log.rule))) return false;
  }
  return true;
}

async function appendSlot(
  table: Table,
  pk: string,
  sk: string,
  messageId: string,
  now: number,
  rule?: CapRule,
): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { slots, v, exists } = await readLog(table, pk, sk);
    if (slots.some((s) => s.messageId === messageId)) return true;
    const kept = slots.filter((s) => s.at > now - KEEP_MS);
    if (rule && kept.filter((s) => s.at > now - rule.perSeconds * 1000).length >= rule.max) return false;
    const written = await table.put(
      { pk, sk, slots: [...kept, { at: now, messageId }], v: v + 1 },
      exists ? { if: when.equals('v', v) } : { ifAbsent: true },
    );
    if (written) return true;
  }
  throw new Error('frequency cap log is too contended; the send will be retried');
}
