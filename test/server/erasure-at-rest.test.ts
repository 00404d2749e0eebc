/**
 * Erasure leaves nothing behind, in the store nor in its files: after `DELETE /customers/{id}` on a
 * real server over an on-disk store, no item holds the customer's data (executions, task tokens,
 * events still being processed, outbox, dispatch log included), and no file under the data
 * directory holds any of their values. The file check reads raw bytes, whatever the store, and is
 * shown able to see: every value is found in the files before the erasure, and another customer's
 * are still found after it.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '../../lib/core/envelope';
import { eraseCustomer } from '../../lib/core/erasure';
import { ingest } from '../../lib/core/ingest';
import type { StepFunctionsPort } from '../../lib/core/ports';
import { VirtualClock } from '../../lib/engine/clock';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { listen } from '../../lib/server/http';
import { keys } from '../../lib/store/keys';
import { putProfile } from '../../lib/store/profiles';
import { advanceTo, loadValid } from '../helpers';

const T0 = Date.parse('2026-11-20T15:00:00Z');
const HOUR = 3_600_000;
const journeys = () => [loadValid('workflows/support-case.json'), loadValid('workflows/cart-recovery.json')];

/** A customer's distinctive values: each appears nowhere else, so finding one means finding their data. */
function customer(id: string, tag: string) {
  return {
    id,
    profile: {
      email: `${tag}.mailbox@example.org`,
      phone: tag === 'erase' ? '+15557650142' : '+15557650199',
      timezone: 'UTC',
      consent: { email: 'opted_in', sms: 'opted_in' },
      attributes: { firstName: `Quen${tag}berta` },
    },
    /** Trigger data, carried context, a waitFor event, and an event cut short while processed. */
    data: [`${tag}-zebra-lamp`, `${tag}-violet-umbrella`, `${tag}-order-note`, `${tag}-ochre-teapot`],
  };
}
const erased = customer('c-erase', 'erase');
const kept = customer('c-keep', 'keep');
const valuesOf = (c: typeof erased) => [c.profile.email, c.profile.phone, c.profile.attributes.firstName, ...c.data];
/**
 * What the store keeps of a customer who is not erased: everything but the call's note, an event
 * field no step reads, which minimal copies never carry into an execution (it is gone once the
 * event is done, and after a purge also from the files).
 */
const keptValuesOf = (c: typeof erased) => valuesOf(c).filter((v) => !v.endsWith('-order-note'));

/** Every file under `dir` that holds `value`, as UTF-8 or UTF-16 bytes. */
function filesHolding(dir: string, value: string): string[] {
  const needles = [Buffer.from(value, 'utf8'), Buffer.from(value, 'utf16le')];
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (needles.some((n) => readFileSync(path).includes(n))) hits.push(name);
    }
  };
  walk(dir);
  return hits;
}

class Killed extends Error {
  override readonly name = 'Killed';
}

describe('erasure on an on-disk store', () => {
  let rt: LocalRuntime;
  let clock: VirtualClock;
  let dataDir: string;

  async function call(base: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await rt.processed();
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Everything the journeys can make of a customer, up to an event whose processing was cut short. */
  async function live(base: string, c: typeof erased) {
    const [reason, items, note, cutShort] = c.data;
    const event = (id: string, type: string, data: Record<string, unknown>, channel = 'web'): Envelope => ({
      id: `${c.id}-${id}`,
      type,
      customerId: c.id,
      channel,
      time: new Date(clock.now()).toISOString(),
      sessionId: `${c.id}-session`,
      data,
    });
    expect((await call(base, 'PUT', `/customers/${c.id}/profile`, c.profile)).status).toBe(200);
    await call(base, 'POST', '/events', [
      event('case', 'case.opened', { caseId: `${c.id}-case`, orderId: `${c.id}-order`, reason }),
      event('cart', 'checkout.abandoned', { cartId: `${c.id}-cart`, value: 80, items }),
    ]);
    // A second case, resolved at once: an execution that ended keeps the customer's data too.
    await call(base, 'POST', '/events', event('case-2', 'case.opened', { caseId: `${c.id}-case-2`, reason }));
    await call(base, 'POST', '/events', event('resolved', 'case.resolved', { caseId: `${c.id}-case-2` }));
    // The call request resumes the case's waitFor, hands off to the phone team (context, dispatch log).
    await call(base, 'POST', '/events', event('call', 'case.call_requested', { caseId: `${c.id}-case`, note }, 'chat'));
    await advanceTo(rt.engine, clock, clock.now() + 2 * HOUR);
    await rt.engine.idle();
    // The order that would end the cart's waitFor dies with the process, its data only in its record.
    const dying: StepFunctionsPort = {
      startExecution: () => Promise.reject(new Killed()),
      sendTaskSuccess: () => Promise.reject(new Killed()),
      stopExecution: () => Promise.reject(new Killed()),
    };
    const order = event('order', 'order.placed', { cartId: `${c.id}-cart`, gift: cutShort });
    await expect(ingest({ ...rt.deps, sfn: dying }, order)).rejects.toBeInstanceOf(Killed);
    return order;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'baton-erasure-'));
    clock = new VirtualClock(T0);
    rt = await startLocalRuntime({ journeys: journeys(), clock, dataDir, concurrency: 1 });
  });
  afterAll(() => rt.close());

  it('leaves no item with their data and no byte of it in the files; another customer keeps theirs', async () => {
    await rt.events.start();
    const server = await listen(rt.deps, 0, rt.events, rt.flushed);
    const base = `http://127.0.0.1:${server.port}`;
    let cutShort: Envelope | undefined;
    try {
      cutShort = await live(base, erased);
      await live(base, kept);
      const outbox = (await call(base, 'GET', `/outbox?customerId=${erased.id}`)).body.messages as unknown[];
      const dispatches = (await call(base, 'GET', `/dispatches?customerId=${erased.id}`)).body.dispatches as unknown[];
      // Messages (with their address and name), hand-offs and actions (with the carried context).
      expect([outbox.length > 0, dispatches.length > 0]).toEqual([true, true]);
      // The files can show every value: after a purge, where the values are rewritten as they would be after an erasure.
      await rt.deps.purgeErased?.();
      for (const v of [...keptValuesOf(erased), ...keptValuesOf(kept)])
        expect([v, filesHolding(dataDir, v).length > 0]).toEqual([v, true]);
      const executions = await rt.table.scanPrefix('X#');
      const theirs = (ex: { execution: { input: string } }) => JSON.parse(ex.execution.input).customerId === erased.id;
      const statuses = executions
        .filter((i) => theirs(i as never))
        .map((i) => (i.execution as { status: string }).status);
      expect(statuses.sort()).toEqual(['ABORTED', 'RUNNING', 'RUNNING']);

      expect((await call(base, 'DELETE', `/customers/${erased.id}`)).body).toMatchObject({ erased: true, stopped: 2 });

      // Nothing left that holds a value of theirs: not one item of the whole table.
      const everything = JSON.stringify(await rt.table.scanPrefix(''));
      for (const v of valuesOf(erased)) expect([v, everything.includes(v)]).toEqual([v, false]);
      for (const v of keptValuesOf(kept)) expect([v, everything.includes(v)]).toEqual([v, true]);
      expect((await rt.table.scanPrefix('X#')).filter((i) => theirs(i as never))).toEqual([]);
      expect(await rt.table.get(keys.event(cutShort.id), keys.single)).toMatchObject({ status: 'erased' });
      // The event cut short is not finished later, nor taken anew when it comes again.
      expect((await call(base, 'POST', '/events', cutShort)).body.results).toEqual([
        { id: cutShort.id, status: 'duplicate' },
      ]);
    } finally {
      await server.close();
    }
    await rt.close();
    for (const v of valuesOf(erased)) expect([v, filesHolding(dataDir, v)]).toEqual([v, []]);
    for (const v of keptValuesOf(kept)) expect([v, filesHolding(dataDir, v).length > 0]).toEqual([v, true]);
    rt = await startLocalRuntime({ journeys: journeys(), clock, dataDir, concurrency: 1 });
  });

  it('an erasure cut short before its purge is purged at the next start', async () => {
    await putProfile(rt.table, { customerId: 'c-late', email: 'late-erasure.mailbox@example.org' }, clock.now());
    await rt.deps.purgeErased?.();
    expect(filesHolding(dataDir, 'late-erasure.mailbox@example.org')).not.toEqual([]);
    // The process dies after the deletions, before the purge.
    await eraseCustomer({ ...rt.deps, purgeErased: undefined }, 'c-late');
    await rt.close();
    expect(filesHolding(dataDir, 'late-erasure.mailbox@example.org')).not.toEqual([]);
    rt = await startLocalRuntime({ journeys: journeys(), clock, dataDir, concurrency: 1 });
    expect(filesHolding(dataDir, 'late-erasure.mailbox@example.org')).toEqual([]);
  });
});
