/**
 * Conditions on message events of an earlier activity (`_email.open`, `_SMS.SUCCESS`...): the
 * statuses of `messages.<step>.status` each event means (Baton keeps the furthest feedback a
 * message got: delivered, then opened, then clicked or replied; bounced and failed), or the
 * customer's consent for opt-outs.
 */
import type { Condition } from '../../journey/schema';
import { show } from '../../journey/schema';
import { any, type ConditionContext, note, todo, unmappedCondition } from './conditions';
import type { SimpleCondition } from './model';

/** The statuses of `messages.<step>.status` a Pinpoint message event means, by the event's last word. */
const MESSAGE_EVENTS: Record<string, { statuses: string[]; approx?: string } | { consent: true } | { none: string }> = {
  send: { statuses: ['sent', 'delivered', 'opened', 'clicked', 'replied', 'bounced'] },
  buffered: { statuses: ['sent', 'delivered', 'opened', 'clicked', 'replied', 'bounced'] },
  delivered: { statuses: ['delivered', 'opened', 'clicked', 'replied'] },
  success: { statuses: ['delivered', 'opened', 'clicked', 'replied'] },
  received_foreground: {
    statuses: ['delivered', 'opened', 'clicked', 'replied'],
    approx: 'Baton does not tell foreground from background',
  },
  received_background: {
    statuses: ['delivered', 'opened', 'clicked', 'replied'],
    approx: 'Baton does not tell foreground from background',
  },
  open: { statuses: ['opened', 'clicked', 'replied'] },
  opened: { statuses: ['opened', 'clicked', 'replied'] },
  opened_notification: { statuses: ['opened', 'clicked', 'replied'] },
  click: { statuses: ['clicked'] },
  hardbounce: { statuses: ['bounced'] },
  softbounce: { statuses: ['bounced'], approx: 'Baton has one bounced status: a soft bounce reads as a bounce' },
  rejected: { statuses: ['failed'] },
  rendering_failure: { statuses: ['failed'] },
  failure: { statuses: ['failed'] },
  unsubscribe: { consent: true },
  optout: { consent: true },
  complaint: { none: 'Baton records no complaint feedback' },
};

/** A split's condition on the events of a message activity. */
export function messageEventCondition(
  ev: NonNullable<SimpleCondition['EventCondition']>,
  at: string,
  ctx: ConditionContext,
): Condition {
  const types = ev.Dimensions?.EventType?.Values ?? [];
  if (ev.MessageActivity === undefined) {
    todo(
      ctx,
      at,
      `a condition on ${types.length ? types.map((t) => show(t)).join(', ') : 'an event'} of the participant: Baton reads events of a journey with a waitFor step; write it as one (event, timeout, next, onTimeout) by hand (it never holds as written)`,
    );
    return unmappedCondition(at);
  }
  const target = ctx.messageStep(ev.MessageActivity);
  if ('why' in target) {
    todo(ctx, `${at}/MessageActivity`, `${target.why}; write the condition by hand (it never holds as written)`);
    return unmappedCondition(at);
  }
  if (types.length === 0) {
    todo(ctx, `${at}/Dimensions`, 'the condition names no message event; write it by hand (it never holds as written)');
    return unmappedCondition(at);
  }
  if (ev.Dimensions?.Attributes || ev.Dimensions?.Metrics)
    todo(
      ctx,
      `${at}/Dimensions`,
      'Baton branches on the message status only: the event attributes and metrics of this condition are not checked',
    );
  const path = `messages.${target.step}.status`;
  const statuses = new Set<string>();
  const parts: Condition[] = [];
  types.forEach((type, i) => {
    const where = `${at}/Dimensions/EventType/Values/${i}`;
    const word = type.toLowerCase().split('.').pop() ?? '';
    const meaning = MESSAGE_EVENTS[word];
    if (!meaning) {
      todo(
        ctx,
        where,
        `message event ${show(type)} has no Baton message status (sent, delivered, opened, clicked, replied, bounced, failed); write the condition by hand (it never holds as written)`,
      );
      parts.push(unmappedCondition(where));
    } else if ('none' in meaning) {
      todo(
        ctx,
        where,
        `message event ${show(type)}: ${meaning.none}; write the condition by hand (it never holds as written)`,
      );
      parts.push(unmappedCondition(where));
    } else if ('consent' in meaning) {
      note(
        ctx,
        where,
        `${show(type)} reads as the customer's ${target.channel} consent being opted_out (Baton keeps opt-outs as consent, not as a message status)`,
      );
      parts.push({ path: `profile.consent.${target.channel}`, eq: 'opted_out' });
    } else {
      if (meaning.approx) note(ctx, where, `${show(type)}: ${meaning.approx}`);
      for (const s of meaning.statuses) statuses.add(s);
    }
  });
  if (statuses.size) parts.unshift(statuses.size === 1 ? { path, eq: [...statuses][0] } : { path, in: [...statuses] });
  const cond = any(parts);
  return ev.Dimensions?.EventType?.DimensionType === 'EXCLUSIVE' ? { not: cond } : cond;
}
