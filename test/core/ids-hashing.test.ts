/**
 * Ids, shards, split buckets and task tokens are SHA-256 of their inputs, computed with the
 * one-shot `hash` (issue 13: several per event and step; a Hash object per id cost three times as
 * much). The values are SHA-256's own: instances, messages and tokens keep their names.
 */
import * as crypto from 'node:crypto';
import { instanceId, messageId } from '../../lib/core/ids';
import { pendingEventRecord } from '../../lib/core/pending-events';
import { splitBucket } from '../../lib/results/split';

it('derives ids, shards and buckets without a Hash object per value', () => {
  // The module object itself (the code under test reads its exports through it at each call).
  const createHash = jest.spyOn(require('node:crypto') as typeof crypto, 'createHash');

  const instance = instanceId('cart-recovery', 'c-123', ['k-1']);
  const message = messageId(instance, 'nudge', '2026-11-20T19:05:00.000Z');
  const bucket = splitBucket(instance, 'offer');
  const pending = pendingEventRecord(
    { id: 'evt-7f3a', type: 'checkout.abandoned', customerId: 'c-123', channel: 'web', time: '2026-11-20T18:05:00Z' },
    Date.parse('2026-11-20T18:05:00Z'),
  );

  expect(createHash).not.toHaveBeenCalled();
  createHash.mockRestore();
  // SHA-256 itself, checked by an independent computation.
  const sha = (s: string) => crypto.createHash('sha256').update(s).digest();
  expect(instance).toBe(
    `i-${sha(JSON.stringify(['instance', 'cart-recovery', 'c-123', ['k-1']]))
      .toString('hex')
      .slice(0, 32)}`,
  );
  expect(message).toBe(
    `m-${sha(JSON.stringify(['message', instance, 'nudge', '2026-11-20T19:05:00.000Z']))
      .toString('hex')
      .slice(0, 32)}`,
  );
  expect(bucket).toBe(sha(`${instance}#offer`).readUInt32BE(0) / 2 ** 32);
  expect(pending.gsi1pk).toMatch(/^EP#\d+$/);
});
