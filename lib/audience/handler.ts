/**
 * The audience function (a thin Lambda on AWS, in-process locally): the two ops a run's state
 * machine calls, `list` and `enter`.
 */
import { assertNever } from '../journey/schema';
import { type EnterInput, type EnterResult, enterBatch } from './enter';
import { type ListInput, type ListResult, listRun } from './list';
import type { AudiencePorts } from './ports';

export type AudienceInput = ListInput | EnterInput;

/** Run one op of an audience run. */
export async function runAudienceOp(ports: AudiencePorts, input: AudienceInput): Promise<ListResult | EnterResult> {
  switch (input.op) {
    case 'list':
      return listRun(ports, input);
    case 'enter':
      return enterBatch(ports, input);
    default:
      return assertNever(input);
  }
}
