/**
 * The data the engine itself reads from reserved events (SPEC §1): checked with the envelope, so a
 * bad value is a rejected entry naming the field, never a 500 half-way through a batch (a
 * `constructor` consent channel broke the profile write; a 3,000-character messageId the ledger read).
 */
import { show } from '../journey/schema';
import type { FieldError } from './envelope';
import { CHANNEL_PATTERN, idProblem } from './id-rule';
import { RESERVED_KEYS } from './storable';

const found = (v: unknown) => (v === undefined ? 'nothing' : show(v));

/** The feedback types whose `data.messageId` names a message Baton sent. */
export const FEEDBACK_TYPES = [
  'message.delivered',
  'message.bounced',
  'message.opened',
  'message.clicked',
  'message.replied',
  'message.failed',
];

/** What the data of a reserved event holds that the engine cannot act on; none for other types. */
export function reservedDataErrors(type: string, data: Record<string, unknown> | undefined): FieldError[] {
  if (type === 'consent.updated') {
    const { channel, status } = data ?? {};
    const errors: FieldError[] = [];
    if (typeof channel !== 'string' || !CHANNEL_PATTERN.test(channel) || RESERVED_KEYS.includes(channel)) {
      errors.push({
        path: '/data/channel',
        message: `consent.updated needs data.channel, a lower-case channel word such as sms, email or push, found ${found(channel)}`,
      });
    }
    if (status !== 'opted_in' && status !== 'opted_out') {
      errors.push({
        path: '/data/status',
        message: `consent.updated needs data.status, opted_in or opted_out, found ${found(status)}`,
      });
    }
    return errors;
  }
  if (FEEDBACK_TYPES.includes(type) && data?.messageId !== undefined) {
    const problem = idProblem('data.messageId', data.messageId);
    return problem ? [{ path: '/data/messageId', message: problem }] : [];
  }
  return [];
}
