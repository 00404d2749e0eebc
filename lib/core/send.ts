/**
 * A send step visit (ARCHITECTURE.md decision 4): consent, address and quiet hours read at send
 * time; a ledger item keyed by (instance, step, visit) is claimed with a condition before the
 * provider call, so retries and redeliveries never produce a second message. A call that may or
 * may not have gone out is recorded as `unknown` and never resent.
 */

import { AUDIENCE_RUN_EVENT } from '../audience/run-identity';
import { SendRefusedError, SendRejectedError, SendThrottledError } from '../channels/errors';
import { messageReads } from '../journey/reads';
import { countChannel } from '../results/channels';
import { countVisits, withPassed } from '../results/visits';
import { keys } from '../store/keys';
import type { Item } from '../store/port';
import { when } from '../store/port';
import { getProfile } from '../store/profiles';
import { chooseChannel, resolveChannels, type SuppressionReason } from './eligibility';
import { bestHour, getEngagement } from './engagement';
import { capAllows, reserveSend } from './frequency-cap';
import { messageId as messageIdOf } from './ids';
import type { Deps } from './ports';
import type { SendInput, SendOutput } from './task-input';
import { render } from './templates';
import { iso, record, type TimelineEntry } from './timeline';
import { hourOfWeek, nextHourOfWeek, windowEnd } from './zoned-time';

type LedgerStatus = 'sending' | 'sent' | 'suppressed' | 'failed' | 'unknown';

/**
 * A send step visit; then the step visits its call carries are counted (lib/results/visits.ts):
 * its own once it decided (sent, suppressed or failed), not while its message is held.
 */
export async function send(deps: Deps, input: SendInput): Promise<SendOutput> {
  const out = await sendVisit(deps, input);
  const decided = out.outcome !== 'deferred';
  return withPassed(
    input,
    out,
    await countVisits(deps, input, decided ? { route: out.outcome } : { skip: input.step }),
  );
}

async function sendVisit(deps: Deps, input: SendInput): Promise<SendOutput> {
  const now = deps.clock.now();
  const messageId = messageIdOf(input.instance, input.step, input.visit);
  const ledgerPk = keys.message(messageId);
  const prior = await deps.table.get(ledgerPk, keys.single);
  if (prior) return settlePrior(deps, prior, messageId);

  const needsEngagement = input.channels.includes('best') || input.timing !== undefined;
  const [profile, engagement] = await Promise.all([
    getProfile(deps.table, input.customerId),
    needsEngagement ? getEngagement(deps.table, input.customerId) : { byChannel: {}, byHour: {} },
  ]);
  const zone = profile?.timezone ?? input.timezone ?? 'UTC';
  const marketing = input.purpose === 'marketing';
  const cap = marketing ? input.frequencyCap : undefined;
  if (cap && !(await capAllows(deps.table, input.customerId, input.journey, cap, now))) {
    return suppress(deps, input, messageId, 'frequency-cap', now);
  }
  const choice = chooseChannel(profile, resolveChannels(input.channels, profile, engagement.byChannel), input.purpose);
  if ('reason' in choice) return suppress(deps, input, messageId, choice.reason, now);

  // timing best: hold until the customer's most engaged hour of the week, at most `within`; a
  // message already held once goes when it is released.
  const best = input.timing && !input.heldUntil ? bestHour(engagement) : undefined;
  if (input.timing && best !== undefined) {
    const at = Math.min(nextHourOfWeek(now, zone, best), now + input.timing.withinSeconds * 1000);
    if (at > now) return { outcome: 'deferred', resumeAt: iso(at), heldStep: input.step };
  }

  if (marketing && input.quietHours) {
    const opens = windowEnd(now, zone, input.quietHours.start, input.quietHours.end);
    if (opens !== undefined) {
      if (input.quietHours.action === 'defer')
        return { outcome: 'deferred', resumeAt: iso(opens), heldStep: input.step };
      return suppress(deps, input, messageId, 'quiet-hours', now);
    }
  }

  const entry = deps.catalog.get(input.journey);
  if (!entry) throw new Error(`journey ${input.journey} is not deployed with this handler`);
  const { channel, address } = choice;
  const rendered = await render(entry.templatesDir, input.template, channel, {
    profile: profile ?? {},
    context: input.context,
    trigger: input.trigger,
    journey: { id: input.journey, name: entry.journey.name, version: input.version },
  });

  await indexMessage(deps, input.customerId, messageId);
  // What channel effectiveness counts the message by: the trigger's type, the customer's hour of the week.
  // An audience journey's instances start from its run (SPEC §6: trigger type `audience.run`).
  const triggerEvent = entry.journey.trigger?.event ?? AUDIENCE_RUN_EVENT;
  const counting = { triggerEvent, sendHour: hourOfWeek(now, zone) };
  const claimed = await deps.table.put(
    { ...ledgerItem(input, messageId, 'sending', now), channel, ...counting },
    { ifAbsent: true },
  );
  if (!claimed) {
    const other = await deps.table.get(ledgerPk, keys.single);
    return other ? settlePrior(deps, other, messageId) : { outcome: 'failed', reason: 'unknown', messageId };
  }

  // Marketing sends are logged for caps; a capped one takes its slot atomically or not at all.
  if (marketing && !(await reserveSend(deps.table, input.customerId, input.journey, messageId, now, cap))) {
    await deps.table.update(ledgerPk, keys.single, { set: { status: 'suppressed', reason: 'frequency-cap' } });
    return suppress(deps, input, messageId, 'frequency-cap', now);
  }

  let status: LedgerStatus;
  let providerMessageId: string | undefined;
  try {
    ({ providerMessageId } = await deps.senders[channel].send({
      messageId,
      channel,
      to: address,
      subject: rendered.subject,
      body: rendered.body,
      customerId: input.customerId,
      journey: input.journey,
      step: input.step,
      purpose: input.purpose,
    }));
    status = 'sent';
  } catch (err) {
    if (err instanceof SendThrottledError) {
      // Nothing went out: give the claim back and let the state machine's Retry try again.
      await deps.table.delete(ledgerPk, keys.single);
      throw err;
    }
    status = err instanceof SendRejectedError || err instanceof SendRefusedError ? 'failed' : 'unknown';
    deps.log.warn('send did not complete', { messageId, channel, status, error: (err as Error).name });
  }
  await deps.table.update(ledgerPk, keys.single, { set: { status, providerMessageId, sentAt: iso(now) } });
  // The ledger settled first; then the step's pointer and its timeline line go together (one commit
  // locally). A crash between them leaves the ledger settled, and a retry redoes both idempotently.
  const settled = { ...ledgerItem(input, messageId, status, now), channel, ...counting, sentAt: iso(now) };
  await Promise.all([
    pointStep(deps, input, messageId, status, channel),
    status === 'sent' ? recordSent(deps, settled) : recordUnsettled(deps, settled, status),
  ]);
  if (status === 'sent') return { outcome: 'sent', messageId, channel };
  return { outcome: 'failed', reason: status === 'failed' ? 'rejected' : 'unknown', messageId };
}

/** The customer's partition lists their ledger items, so erasure can find them. */
async function indexMessage(deps: Deps, customerId: string, messageId: string): Promise<void> {
  await deps.table.put({ pk: keys.customer(customerId), sk: keys.messageIndex(messageId), messageId });
}

function ledgerItem(input: SendInput, messageId: string, status: LedgerStatus, now: number): Item {
  return {
    pk: keys.message(messageId),
    sk: keys.single,
    messageId,
    status,
    customerId: input.customerId,
    journey: input.journey,
    version: input.version,
    instance: input.instance,
    step: input.step,
    template: input.template,
    createdAt: iso(now),
  };
}

/**
 * The timeline line of a ledger item's outcome, keyed by message and `key` so that it is written
 * once however often a retry records it.
 */
async function recordOutcome(
  deps: Deps,
  ledger: Item,
  key: string,
  line: Pick<TimelineEntry, 'at' | 'kind'> & Partial<TimelineEntry>,
): Promise<boolean> {
  const { at, kind, ...rest } = line;
  return record(
    deps,
    {
      // In the order every line prints: at and kind first, the channel after the step.
      at,
      kind,
      journey: ledger.journey as string,
      version: ledger.version as number,
      customerId: ledger.customerId as string,
      instance: ledger.instance as string,
      step: ledger.step as string,
      ...(rest.channel === undefined ? {} : { channel: rest.channel }),
      template: ledger.template as string,
      messageId: ledger.messageId as string,
      ...rest,
    },
    `${ledger.messageId as string}#${key}`,
  );
}

/** When a settled message went, or was decided. */
const settledAt = (ledger: Item) => (ledger.sentAt as string | undefined) ?? (ledger.createdAt as string);

/** The `sent` line of a ledger item; written for the first time, the message counts in channel effectiveness. */
async function recordSent(deps: Deps, ledger: Item): Promise<void> {
  const line = { at: settledAt(ledger), kind: 'sent' as const, channel: ledger.channel as string };
  if (await recordOutcome(deps, ledger, 'sent', line)) await countChannel(deps.table, ledger, 'sent');
}

/**
 * A visit whose message failed, or may or may not have gone out (unknown), says so in the
 * timeline as a note (never a `sent` line).
 */
async function recordUnsettled(deps: Deps, ledger: Item, status: 'failed' | 'unknown'): Promise<void> {
  await recordOutcome(deps, ledger, 'unsettled', {
    at: settledAt(ledger),
    kind: 'note',
    channel: ledger.channel as string | undefined,
    reason: `send-${status}`,
  });
}

/** A ledger item already exists: this visit was handled before. Never send again. */
async function settlePrior(deps: Deps, prior: Item, messageId: string): Promise<SendOutput> {
  let status = prior.status as LedgerStatus;
  if (status === 'sending') {
    // A previous attempt died during the provider call: it may have gone out.
    await deps.table.update(prior.pk, prior.sk, { set: { status: 'unknown' } });
    deps.log.warn('send outcome unknown after an interrupted attempt; not resending', { messageId });
    status = 'unknown';
  }
  // A crash may have come between the ledger write and the step pointer or the timeline line:
  // finish them now. The same keys make these no-ops when they were written, and a pointer
  // already at this message keeps the status feedback gave it.
  await pointStep(deps, prior as unknown as StepRef, messageId, status, prior.channel as string | undefined, {
    keepFeedback: true,
  });
  if (status === 'sent') {
    await recordSent(deps, prior);
    return { outcome: 'sent', messageId, channel: prior.channel as string };
  }
  if (status === 'suppressed') {
    await recordSuppressed(deps, prior);
    return { outcome: 'suppressed', reason: prior.reason as string, messageId };
  }
  await recordUnsettled(deps, prior, status);
  return { outcome: 'failed', reason: status === 'failed' ? 'rejected' : 'unknown', messageId };
}

async function suppress(
  deps: Deps,
  input: SendInput,
  messageId: string,
  reason: SuppressionReason,
  now: number,
): Promise<SendOutput> {
  const ledger = { ...ledgerItem(input, messageId, 'suppressed', now), reason };
  await indexMessage(deps, input.customerId, messageId);
  await deps.table.put(ledger, { ifAbsent: true });
  await pointStep(deps, input, messageId, 'suppressed');
  await recordSuppressed(deps, ledger);
  return { outcome: 'suppressed', reason, messageId };
}

/** The `suppressed` line of a ledger item, at the time of the decision. */
async function recordSuppressed(deps: Deps, ledger: Item): Promise<void> {
  await recordOutcome(deps, ledger, 'suppressed', {
    at: ledger.createdAt as string,
    kind: 'suppressed',
    reason: ledger.reason as string,
  });
}

/** The step visit a message belongs to. */
type StepRef = Pick<SendInput, 'customerId' | 'instance' | 'step' | 'journey' | 'version'>;

/**
 * Whether the journey reads a step's message (`messages.<step>.*` in a branch, action or update):
 * its pointer is written only then. A version other than the one deployed here is taken to read it.
 */
function readsMessage(deps: Deps, ref: StepRef): boolean {
  const entry = deps.catalog.get(ref.journey);
  return !entry || entry.journey.version !== ref.version || messageReads(entry.journey).has(ref.step);
}

/**
 * Keep messages.<step>.* pointing at the step's latest message, when the journey reads it. With
 * `keepFeedback`, a pointer already at this message is left alone: feedback may have moved its
 * status on since.
 */
async function pointStep(
  deps: Deps,
  ref: StepRef,
  messageId: string,
  status: LedgerStatus,
  channel?: string,
  opts: { keepFeedback?: boolean } = {},
) {
  if (!readsMessage(deps, ref)) return;
  await deps.table.put(
    {
      pk: keys.customer(ref.customerId),
      sk: keys.stepMessage(ref.instance, ref.step),
      step: ref.step,
      messageId,
      status,
      channel,
    },
    opts.keepFeedback ? { if: when.any(when.itemAbsent, when.notEquals('messageId', messageId)) } : {},
  );
}
