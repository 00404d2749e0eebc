/** Deterministic identifiers: the same inputs always give the same id, and ids carry no personal data. */
import { hash } from 'node:crypto';

/**
 * Hex SHA-256 of the parts, joined unambiguously. One-shot `hash`, not a Hash object: ids are
 * derived several times per event and step, and the one-shot form costs a third as much.
 */
export function digest(...parts: unknown[]): string {
  return hash('sha256', JSON.stringify(parts), 'hex');
}

/**
 * The instance id and execution name: journey + customer + dedupe values (≤ 80 chars, no personal
 * data). `epoch` counts the customer's erasures, so a customer erased and seen again starts anew
 * (Step Functions keeps a closed execution's name for 90 days).
 */
export function instanceId(journeyId: string, customerId: string, dedupeValues: unknown[], epoch = 0): string {
  const parts = epoch
    ? ['instance', journeyId, customerId, dedupeValues, epoch]
    : ['instance', journeyId, customerId, dedupeValues];
  return `i-${digest(...parts).slice(0, 32)}`;
}

/** The message id of one visit of a send step. */
export function messageId(instance: string, step: string, visit: string): string {
  return `m-${digest('message', instance, step, visit).slice(0, 32)}`;
}
