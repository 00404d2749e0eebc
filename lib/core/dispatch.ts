/**
 * The dispatch handler: actions (calls to channel systems) and hand-offs (the carried context
 * published to the next channel). Delivery is at least once, with an idempotency key stable per
 * step visit; the state machine retries transient failures with jittered backoff.
 */
import { countVisits, withPassed } from '../results/visits';
import { keys } from '../store/keys';
import { lookupBindings } from './evaluate';
import { digest } from './ids';
import { visitTime } from './iso-time';
import { evaluate } from './jsonata';
import type { Deps } from './ports';
import type { ActionInput, DispatchInput, HandoffInput } from './task-input';
import { record } from './timeline';

/** How long hand-off context stays readable by the next channel. */
export const HANDOFF_TTL_SECONDS = 30 * 86_400;

/** Run one dispatch operation; once it is done, count the step visits the call carries (lib/results/visits.ts). */
export async function runDispatch(deps: Deps, input: DispatchInput): Promise<unknown> {
  let result: Record<string, unknown>;
  switch (input.op) {
    case 'action':
      result = await action(deps, input);
      break;
    case 'handoff':
      result = await handoff(deps, input);
      break;
    default: {
      const never: never = input;
      throw new Error(`unknown dispatch operation ${JSON.stringify(never)}`);
    }
  }
  return withPassed(input, result, await countVisits(deps, input, { route: 'next' }));
}

async function action(deps: Deps, input: ActionInput): Promise<{ delivered: true; id: string }> {
  const id = `a-${digest('action', input.instance, input.step, input.visit).slice(0, 32)}`;
  const bindings = await lookupBindings(deps, input);
  const payload: Record<string, unknown> = {};
  for (const [k, expr] of Object.entries(input.payload)) payload[k] = await evaluate(expr, bindings);
  await deps.destinations.action(input.target).deliver({
    idempotencyKey: id,
    type: 'action.requested',
    body: {
      target: input.target,
      customerId: input.customerId,
      journey: input.journey,
      instance: input.instance,
      step: input.step,
      payload,
    },
  });
  await record(
    deps,
    {
      at: visitTime(input.visit, deps.clock.now()),
      kind: 'action',
      journey: input.journey,
      version: input.version,
      customerId: input.customerId,
      instance: input.instance,
      step: input.step,
      reason: input.target,
    },
    `${id}#action`,
  );
  return { delivered: true, id };
}

async function handoff(deps: Deps, input: HandoffInput): Promise<{ handoff: string }> {
  const id = `h-${digest('handoff', input.instance, input.step, input.visit).slice(0, 32)}`;
  // When the step began, the same on every Retry: the hand-off's key and line are written once.
  const at = visitTime(input.visit, deps.clock.now());
  const reason = input.reason === undefined || input.reason === null ? undefined : String(input.reason);
  const body = {
    customerId: input.customerId,
    to: input.to,
    carried: input.carry,
    reason,
    journey: input.journey,
    instance: input.instance,
    step: input.step,
    at,
  };
  // Stored once (the visit's id is the key) so the next channel can read it back by customer.
  // Kept for the next channel for 30 days, then expired (context is referenced by the instance, not copied into it).
  const expiresAt = Math.ceil(deps.clock.now() / 1000) + HANDOFF_TTL_SECONDS;
  await deps.table.put(
    { pk: keys.customer(input.customerId), sk: keys.handoff(at, input.instance, input.step), id, ...body, expiresAt },
    { ifAbsent: true },
  );
  await deps.destinations.handoff(input.to).deliver({ idempotencyKey: id, type: 'handoff.created', body });
  await record(
    deps,
    {
      at,
      kind: 'handoff',
      journey: input.journey,
      version: input.version,
      customerId: input.customerId,
      instance: input.instance,
      step: input.step,
      channel: input.to,
      ...(reason ? { reason } : {}),
    },
    `${id}#handoff`,
  );
  return { handoff: id };
}
