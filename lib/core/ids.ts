/** Deterministic identifiers: the same inputs always give the same id, and ids carry no personal data. */
import { createHash } from 'node:crypto';

/** Hex SHA-256 of the parts, joined unambiguously. */
export function digest(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The instance id and execution name: journey + customer + dedupe values (≤ 80 chars, no personal data). */
export function instanceId(journeyId: string, customerId: string, dedupeValues: unknown[]): string {
  return `i-${digest('instance', journeyId, customerId, dedupeValues).slice(0, 32)}`;
}

/** The message id of one visit of a send step. */
export function messageId(instance: string, step: string, visit: string): string {
  return `m-${digest('message', instance, step, visit).slice(0, 32)}`;
}
