/**
 * An execution closed outside the journey's own end step — it ran past maxDuration, or failed in a
 * way no Catch handled: end its instance so the timeline says so and the single-entry lock frees.
 * On AWS this is fed by EventBridge's "Step Functions Execution Status Change" events; locally by
 * the engine's onClosed hook.
 */
import { failureText } from './failure';
import { type ExitReason, endInstance } from './instances';
import type { Deps } from './ports';

export interface ClosedExecution {
  stateMachineArn: string;
  name: string;
  status: string;
  /** The execution input (JSON text): carries the customer id. */
  input: string;
  /** Why it failed, when the source says (the local engine does). */
  error?: string;
  cause?: string;
}

const REASONS: Record<string, ExitReason | undefined> = { TIMED_OUT: 'timeout', FAILED: 'failed' };

/** Record the end of an instance whose execution timed out or failed; other closings need nothing. */
export async function executionClosed(
  deps: Pick<Deps, 'table' | 'clock' | 'catalog' | 'onTimeline'>,
  ex: ClosedExecution,
): Promise<boolean> {
  const reason = REASONS[ex.status];
  if (!reason) return false;
  const entry = deps.catalog.byStateMachine(ex.stateMachineArn);
  let customerId: unknown;
  try {
    customerId = (JSON.parse(ex.input) as { customerId?: unknown }).customerId;
  } catch {
    return false;
  }
  if (!entry || typeof customerId !== 'string') return false;
  const error = reason === 'failed' && ex.error ? failureText(ex.error, ex.cause) : undefined;
  return endInstance(deps, customerId, entry.journey.id, ex.name, reason, { error });
}
