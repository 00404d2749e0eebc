/**
 * A process that dies between two side effects, for the crash tests: a view of a use case's
 * dependencies that counts side effects (table writes, StartExecution and the other Step Functions
 * calls, the provider call, a destination's delivery) and dies when `crashAt` of them have
 * completed: the next throws and so does everything after it, as nothing more happens in a dead
 * process. Dying just after side effect k and just before k+1 leave the same store behind (only
 * reads and computation come between), so k = 0..N covers every crash point, k = N being a crash
 * after the last write, before the caller was answered.
 */
import type { ChannelSender, Deps, StepFunctionsPort } from '../../lib/core/ports';
import type { Item } from '../../lib/store/port';

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

const TABLE_WRITES = new Set(['put', 'update', 'delete']);
const SFN_CALLS = new Set(['startExecution', 'sendTaskSuccess', 'stopExecution']);

/** One process's view of the world: it dies once `crashAt` side effects have completed. */
export function dyingProcess(deps: Deps, crashAt: number | undefined) {
  const proc = { effects: [] as string[], dead: false, providerCalls: 0 };
  const effect = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    if (proc.dead) throw new SimulatedCrash(`the process is gone (${label})`);
    if (proc.effects.length === crashAt) {
      proc.dead = true;
      throw new SimulatedCrash(`crash before ${label}, after ${crashAt} side effects`);
    }
    proc.effects.push(label);
    return run();
  };
  /** Wrap an object's methods: the named ones are side effects, the others just die with the process. */
  const view = <T extends object>(target: T, effects: Set<string>, labelOf: (m: string, args: unknown[]) => string) =>
    new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t);
        if (typeof value !== 'function') return value;
        const method = String(prop);
        return (...args: unknown[]) => {
          const call = () => (value as (...a: unknown[]) => Promise<unknown>).apply(t, args);
          if (effects.has(method)) return effect(labelOf(method, args), call);
          if (proc.dead) return Promise.reject(new SimulatedCrash(`the process is gone (${method})`));
          return call();
        };
      },
    });
  const table = view(deps.table, TABLE_WRITES, (m, args) => {
    const [first, second] = args as [Item | string, string];
    return typeof first === 'string' ? `${m} ${first} ${second}` : `${m} ${first.pk} ${first.sk}`;
  });
  const sfn = view<StepFunctionsPort>(deps.sfn, SFN_CALLS, (m) => `sfn ${m}`);
  const channel = (inner: ChannelSender): ChannelSender => ({
    send: (msg) =>
      effect(`provider ${msg.channel}`, () => {
        proc.providerCalls++;
        return inner.send(msg);
      }),
  });
  const senders = {
    sms: channel(deps.senders.sms),
    email: channel(deps.senders.email),
    push: channel(deps.senders.push),
  };
  const destination = (kind: 'action' | 'handoff') => (target: string) => {
    const inner = deps.destinations[kind](target);
    return {
      deliver: (m: Parameters<typeof inner.deliver>[0]) => effect(`deliver ${kind} ${target}`, () => inner.deliver(m)),
    };
  };
  const destinations = { action: destination('action'), handoff: destination('handoff') } as Deps['destinations'];
  /** Run a use case in this process; a crash after its last side effect loses its answer too. */
  const run = async <T>(useCase: (d: Deps) => Promise<T>): Promise<T> => {
    const out = await useCase({ ...deps, table, sfn, senders, destinations });
    if (proc.effects.length === crashAt && !proc.dead) {
      proc.dead = true;
      throw new SimulatedCrash('crash before answering');
    }
    return out;
  };
  return { proc, run };
}
