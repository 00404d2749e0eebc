/**
 * Cost per journey, counted by the local engine: each journey in workflows/ simulated on the inputs
 * of its scenario in test/scenarios/<id>/ (several customers taking different paths), and per
 * instance entered: states entered (what Step Functions bills as transitions), journey steps
 * executed, Lambda invocations (tasks, plus one ingest per event), and the use cases' DynamoDB
 * requests (the engine's own checkpoints exist only locally: on AWS, Step Functions keeps state).
 * The baseline is one state per executed step, the least a state machine can do.
 */
import { simulate } from '../lib/local/simulate';
import type { Figure } from './engine-throughput';
import { workflowScenarios } from './scenarios';

/** List prices, us-east-1, per unit (docs/operations.md). */
const PRICE = {
  transition: 25 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  // 100 ms at 512 MB on arm64, as docs/operations.md assumes.
  lambdaDuration: 0.1 * 0.5 * 0.0000133334,
  write: 0.625 / 1e6,
  read: 0.125 / 1e6,
  event: 1 / 1e6,
};

/** A state that is a journey step itself, not one the compiler adds around it (`<step>.<role>`, `baton.*`). */
const isStepState = (name: string) => !name.includes('.');

export async function costPerJourney(): Promise<Figure[]> {
  const rows: Figure[] = [];
  for (const { journey, events, profiles } of workflowScenarios()) {
    const id = journey.journey.id;
    const { lines, usage } = await simulate({ journeys: [journey], events, profiles });
    const instances = lines.filter((l) => l.kind === 'entered').length;
    if (instances === 0) continue;
    const per = (x: number) => x / instances;
    // Every state entered is a start or a move: what Step Functions bills.
    const entered = usage.engine.executions + usage.engine.transitions;
    const steps = [...usage.engine.entered].filter(([s]) => isStepState(s)).reduce((a, [, n]) => a + n, 0);
    const invocations = usage.engine.taskCalls + usage.ingested;
    // Everything but the transitions, which the baseline shares.
    const rest =
      invocations * (PRICE.lambdaRequest + PRICE.lambdaDuration) +
      usage.store.writes * PRICE.write +
      usage.store.reads * PRICE.read +
      usage.ingested * PRICE.event;
    const perMillion = (transitions: number) => `$${Math.round(per(transitions * PRICE.transition + rest) * 1e6)}`;
    rows.push({
      name: `cost: ${id}, per journey (${instances} instances)`,
      value: `${(entered / steps).toFixed(2)} transitions/step, ${perMillion(entered)} per million`,
      baseline: `1.00 transitions/step, ${perMillion(steps)}`,
      note: `${per(entered).toFixed(1)} transitions, ${per(steps).toFixed(1)} steps, ${per(invocations).toFixed(1)} Lambda invocations, ${per(usage.store.reads).toFixed(1)} reads + ${per(usage.store.writes).toFixed(1)} writes; messages not included`,
    });
  }
  return rows;
}
