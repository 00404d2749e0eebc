/**
 * TABLE_ACCESS (what each function's role may do to the table) is enough for what its handler
 * really does: every journey scenario runs on the local engine with each table call tagged with
 * the function whose use case made it (ingest, send, park, step, dispatch, closed; the API's
 * routes are called after), and checked against that function's actions and partitions.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as audienceModule from '../../lib/audience/handler';
import type { FunctionRole } from '../../lib/aws/runtime';
import { TABLE_ACCESS, type TableAction } from '../../lib/aws/table-access';
import * as closedModule from '../../lib/core/closed';
import * as dispatchModule from '../../lib/core/dispatch';
import type { Envelope } from '../../lib/core/envelope';
import * as ingestModule from '../../lib/core/ingest';
import * as parkModule from '../../lib/core/park';
import * as sendModule from '../../lib/core/send';
import * as stepModule from '../../lib/core/step';
import { LocalEngine } from '../../lib/engine/engine';
import { readEvents, readProfiles } from '../../lib/local/inputs';
import type { LocalRuntime } from '../../lib/local/runtime';
import { simulate } from '../../lib/local/simulate';
import { route } from '../../lib/server/routes';
import { CountingTable } from '../../lib/store/counting-table';
import type { Table } from '../../lib/store/port';
import { loadValid, ROOT } from '../helpers';

const role = new AsyncLocalStorage<FunctionRole>();
/** QueryIndex: a Query on the sparse index (gsi1), granted by TableAccess.index. */
type Action = TableAction | 'Scan' | 'BatchWriteItem' | 'QueryIndex';
/** Every table call made inside a function's use case, with the Table it went through. */
const calls: { role: FunctionRole; action: Action; prefix: string; table: Table }[] = [];
/**
 * The use cases' tables (what the Lambdas get on AWS); the local runtime's other table holds what
 * only exists locally (the outbox and dispatch log standing in for SNS, SES and webhooks).
 */
const useCaseTables = new Set<Table>();

function note(table: Table, action: Action, pk: string) {
  const r = role.getStore();
  // Outside a use case: the local engine's own bookkeeping, or test set-up.
  if (r) calls.push({ role: r, action, prefix: pk.slice(0, pk.indexOf('#') + 1) || pk, table });
}

/** What a function did to the use cases' table: action → partition key prefixes (up to the first '#'). */
function usedBy(r: FunctionRole): Map<Action, Set<string>> {
  const out = new Map<Action, Set<string>>();
  for (const c of calls.filter((c) => c.role === r && useCaseTables.has(c.table))) {
    out.set(c.action, (out.get(c.action) ?? new Set()).add(c.prefix));
  }
  return out;
}

/** Run a use case as the function `r` would. */
function as<A extends unknown[], R>(r: FunctionRole, fn: (...a: A) => Promise<R>) {
  return (...a: A) => role.run(r, () => fn(...a));
}

beforeAll(() => {
  // The local runtime reaches the store through CountingTable views (the use cases' one among them).
  const table = CountingTable.prototype;
  const spyTable = <K extends 'get' | 'put' | 'update' | 'delete' | 'query' | 'queryAll'>(
    method: K,
    action: TableAction,
    pkOf: (...args: Parameters<Table[K]>) => string,
  ) => {
    const original = table[method] as (...a: unknown[]) => unknown;
    jest.spyOn(table, method).mockImplementation(function (this: Table, ...args: unknown[]) {
      note(this, action, pkOf(...(args as Parameters<Table[K]>)));
      return original.apply(this, args);
    } as never);
  };
  spyTable('get', 'GetItem', (pk) => pk);
  spyTable('put', 'PutItem', (item) => item.pk);
  spyTable('update', 'UpdateItem', (pk) => pk);
  spyTable('delete', 'DeleteItem', (pk) => pk);
  spyTable('query', 'Query', (pk) => pk);
  // A query of every match is one Query locally (on DynamoDB, one per page).
  spyTable('queryAll', 'Query', (pk) => pk);
  const queryIndex = table.queryIndexAll;
  jest.spyOn(table, 'queryIndexAll').mockImplementation(function (this: Table, gsi1pk: string) {
    note(this, 'QueryIndex', gsi1pk);
    return queryIndex.call(this, gsi1pk);
  });
  const scan = table.scanPrefixPages;
  jest.spyOn(table, 'scanPrefixPages').mockImplementation(function (this: Table, prefix: string) {
    note(this, 'Scan', prefix);
    return scan.call(this, prefix);
  });
  const scanAll = table.scanPrefix;
  jest.spyOn(table, 'scanPrefix').mockImplementation(function (this: Table, prefix: string) {
    note(this, 'Scan', prefix);
    return scanAll.call(this, prefix);
  });
  const write = table.write;
  jest.spyOn(table, 'write').mockImplementation(function (this: Table, ops) {
    for (const op of ops) note(this, 'BatchWriteItem', 'put' in op ? op.put.pk : op.delete.pk);
    return write.call(this, ops);
  });

  // The handlers each function runs; the local runtime and simulate call them through these modules.
  const wrap = <M, K extends keyof M>(module: M, name: K, r: FunctionRole) => {
    const original = module[name] as (...a: unknown[]) => Promise<unknown>;
    jest.spyOn(module as never, name as never).mockImplementation(as(r, original) as never);
  };
  wrap(ingestModule, 'ingest', 'ingest');
  wrap(sendModule, 'send', 'send');
  wrap(parkModule, 'park', 'park');
  wrap(stepModule, 'runStep', 'step');
  wrap(dispatchModule, 'runDispatch', 'dispatch');
  wrap(closedModule, 'executionClosed', 'closed');
  wrap(audienceModule, 'runAudienceOp', 'audience');
  // A use case's call into Step Functions is the service's work, not the function's table access.
  for (const m of ['startExecution', 'sendTaskSuccess', 'stopExecution'] as const) {
    const original = LocalEngine.prototype[m] as (...a: unknown[]) => Promise<unknown>;
    jest.spyOn(LocalEngine.prototype, m).mockImplementation(function (this: LocalEngine, ...a: unknown[]) {
      return role.exit(() => original.apply(this, a));
    } as never);
  }
});

afterAll(() => jest.restoreAllMocks());

const scenariosDir = join(ROOT, 'test', 'scenarios');
const scenarios = readdirSync(scenariosDir).filter((d) => existsSync(join(scenariosDir, d, 'scenario.json')));
const resolveIn = (dir: string, p: string) =>
  isAbsolute(p) ? p : existsSync(join(dir, p)) ? join(dir, p) : join(ROOT, p);

function loadScenario(name: string) {
  const dir = join(scenariosDir, name);
  const spec = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as {
    journeys: string[];
    events?: string;
    profiles?: string;
    until?: string;
  };
  return {
    journeys: spec.journeys.map((j) => loadValid(resolveIn(dir, j))),
    // Audience journeys' scenarios may have no events.
    events: spec.events ? readEvents(resolveIn(dir, spec.events)).events : [],
    profiles: spec.profiles ? readProfiles(resolveIn(dir, spec.profiles)).profiles : [],
    until: spec.until === undefined ? undefined : Date.parse(spec.until),
  };
}

/** The API's routes, and a failed execution, on the first customer of the run; the customer is erased last. */
async function callApi(rt: LocalRuntime, events: Envelope[]) {
  useCaseTables.add(rt.table);
  const customerId = events[0].customerId;
  const call = as('api', (method: string, path: string, body?: unknown) =>
    route(
      rt.deps,
      {
        method,
        path,
        query: new URLSearchParams(),
        contentType: 'application/json',
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      { local: false },
    ),
  );
  for (const part of ['profile', 'consent', 'timeline', 'context'])
    await call('GET', `/customers/${customerId}/${part}`);
  // Results: the journeys' counters and channel effectiveness.
  await call('GET', '/journeys');
  for (const entry of rt.deps.catalog.all()) await call('GET', `/journeys/${entry.journey.id}/results`);
  await call('GET', '/channels/effectiveness');
  await call('PUT', `/customers/${customerId}/profile`, { customerId, consent: { email: 'opted_in' } });
  const instances = await rt.table.queryAll(`C#${customerId}`, { prefix: 'I#' });
  const running = instances.find((i) => i.status === 'active') ?? instances[0];
  if (running) {
    await closedModule.executionClosed(rt.deps, {
      stateMachineArn: running.stateMachineArn as string,
      name: running.instance as string,
      status: 'FAILED',
      input: JSON.stringify({ customerId }),
    });
  }
  await call('POST', '/events', { ...events[0], id: `${events[0].id}-again` });
  await call('DELETE', `/customers/${customerId}`);
}

beforeAll(async () => {
  // Every scenario to its end: the task functions' paths.
  for (const name of scenarios) {
    const s = loadScenario(name);
    await simulate({ ...s, inspect: s.events.length ? (rt) => callApi(rt, s.events) : undefined });
  }
  // And one stopped an hour in, so that closed ends an instance that is still running.
  const cart = loadScenario('cart-recovery');
  const until = Date.parse(cart.events[0].time) + 3_600_000;
  await simulate({ ...cart, until, inspect: (rt) => callApi(rt, cart.events) });
}, 120_000);

const ROLES = Object.keys(TABLE_ACCESS) as FunctionRole[];

test.each(ROLES)('%s calls only the DynamoDB actions its role is granted', (r) => {
  const actions = [...usedBy(r).keys()].filter((a) => a !== 'QueryIndex').sort();
  expect(actions.length).toBeGreaterThan(0);
  expect(actions.filter((a) => !TABLE_ACCESS[r].actions.includes(a as TableAction))).toEqual([]);
});

test.each(ROLES)('%s queries the index only where its role is granted, and is granted only what it queries', (r) => {
  const queried = [...(usedBy(r).get('QueryIndex') ?? [])].sort();
  expect(queried).toEqual([...(TABLE_ACCESS[r].index?.partitions ?? [])].sort());
});

test.each(ROLES.filter((r) => TABLE_ACCESS[r].partitions))('%s stays in the partitions its role is granted', (r) => {
  const prefixes = new Set([...usedBy(r).entries()].filter(([a]) => a !== 'QueryIndex').flatMap(([, s]) => [...s]));
  const allowed = TABLE_ACCESS[r].partitions ?? [];
  expect([...prefixes].filter((p) => !allowed.includes(p))).toEqual([]);
});

/** Granted actions on paths the scenarios do not take, each with the code that takes it. */
const REACHED_ELSEWHERE = [
  // lib/core/send.ts: a throttled provider took nothing, so the ledger claim is given back (test/faults).
  'send: DeleteItem',
  // lib/core/entry.ts: a `single` journey's lock is given back when entry.limit or cooldown then refuses
  // the member (the audience scenarios' single journeys have neither rule).
  'audience: DeleteItem',
];

test('the journeys reach every action granted: no role is granted an action nothing calls', () => {
  const unused = ROLES.flatMap((r) =>
    TABLE_ACCESS[r].actions.filter((a) => !usedBy(r).has(a)).map((a) => `${r}: ${a}`),
  );
  expect(unused).toEqual(REACHED_ELSEWHERE);
});
