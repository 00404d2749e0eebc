/**
 * Runs ASL documents on the local engine with a real (in-memory) dynalite table and a virtual
 * clock, for the engine tests that hold it to AWS's documented behaviour.
 */
import { VirtualClock } from '../../lib/engine/clock';
import { type EngineOptions, type Execution, LocalEngine, type TaskHandler } from '../../lib/engine/engine';
import { type EmbeddedStore, openLocalStore } from '../../lib/store/local-store';

export const SM = 'arn:aws:states:local:000000000000:stateMachine:test';
export const FN = 'arn:aws:lambda:local:000000000000:function:fn';
export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const DAY = 86_400_000;

/** A JSONata state machine of these states, starting at the first. */
export function machine(states: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ QueryLanguage: 'JSONata', StartAt: Object.keys(states)[0], States: states, ...extra });
}

/** A task that hands its token to FN and waits for it, up to `timeoutSeconds`. */
export function park(timeoutSeconds: number) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Arguments: { FunctionName: FN, Payload: { token: '{% $states.context.Task.Token %}' } },
    TimeoutSeconds: timeoutSeconds,
  };
}

type Handlers = Record<string, TaskHandler>;

/** One store for a test file; each run uses its own execution name. */
export function engineHarness() {
  let store: EmbeddedStore;
  let n = 0;
  beforeAll(async () => {
    store = await openLocalStore();
  });
  afterAll(async () => {
    await store.close();
  });

  /** An engine on the shared store with the document registered. */
  async function engineFor(
    def: string,
    handlers: Handlers,
    clock: VirtualClock,
    historyLimit?: number,
    more: Partial<EngineOptions> = {},
  ) {
    const engine = new LocalEngine({ table: store.localTable, clock, handlers, concurrency: 1, historyLimit, ...more });
    await engine.register(SM, def);
    return engine;
  }

  /** Start an execution of `def` and run it until it parks or ends. */
  async function run(
    def: string,
    opts: {
      handlers?: Handlers | ((clock: VirtualClock) => Handlers);
      input?: unknown;
      historyLimit?: number;
      /** Serves the Map state's S3 reads. */
      objectsDir?: string;
    } = {},
  ) {
    const clock = new VirtualClock(T0);
    const handlers = typeof opts.handlers === 'function' ? opts.handlers(clock) : (opts.handlers ?? {});
    const engine = await engineFor(def, handlers, clock, opts.historyLimit, { objectsDir: opts.objectsDir });
    const name = `run-${++n}`;
    const { executionArn } = await engine.startExecution({
      stateMachineArn: SM,
      name,
      input: JSON.stringify(opts.input ?? {}),
    });
    await engine.idle();
    /** Advance virtual time through every due timer until nothing is pending (or `untilMs`). */
    const drain = async (untilMs = Number.POSITIVE_INFINITY) => {
      for (;;) {
        const due = await engine.nextDueAt();
        if (due === undefined || due > untilMs) return;
        clock.advanceTo(due);
        await engine.runDue();
        await engine.idle();
      }
    };
    const describe = (): Promise<Execution> => engine.describeExecution(executionArn);
    return { engine, clock, executionArn, name, drain, describe };
  }

  return { run, engineFor };
}
