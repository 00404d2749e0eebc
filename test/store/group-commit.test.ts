/**
 * LMDB's group commit (lib/store/lmdb-table.ts): writes resolve once issued and commit in groups,
 * in issue order; `flushed()` is the barrier before anything leaves the process. A real kill -9
 * of a process of its own shows that what was flushed survives and that a crash loses only a
 * suffix of what was issued; the local HTTP server answers only once the barrier passed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from '../../lib/core/ingest';
import { VirtualClock } from '../../lib/engine/clock';
import { startLocalRuntime } from '../../lib/local/runtime';
import { listen } from '../../lib/server/http';
import { LmdbTable } from '../../lib/store/lmdb-table';
import { when } from '../../lib/store/port';
import { helloJourney, ROOT } from '../helpers';
import { AFTER, BEFORE } from './lmdb-kill-child';

/** Run the child on `dir` until it kills itself; its stdout. */
function runChild(dir: string): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'lmdb-kill-child.ts'), dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.once('error', reject);
    child.once('exit', (_code, signal) => resolve({ out, signal }));
  });
}

describe('LMDB group commit', () => {
  it('keeps every write issued before a barrier across a kill -9 right after it, and loses only a suffix of the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-group-commit-'));
    try {
      const { out, signal } = await runChild(dir);
      expect(signal).toBe('SIGKILL');
      expect(out).toBe('flushed\n');
      const table = new LmdbTable(join(dir, 'baton.lmdb'));
      try {
        const present: boolean[] = [];
        for (let i = 0; i < BEFORE + AFTER; i++) present.push((await table.get(`K#${i}`, '_'))?.n === i);
        // Everything written before the barrier is there...
        expect(present.slice(0, BEFORE).every(Boolean)).toBe(true);
        // ...and what the kill cut off is a suffix: commits are applied in the order they were issued.
        const kept = present.lastIndexOf(true) + 1;
        expect(present.slice(0, kept).every(Boolean)).toBe(true);
      } finally {
        await table.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('lets a read see a write at once, before it is committed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-group-commit-'));
    const table = new LmdbTable(join(dir, 'baton.lmdb'));
    try {
      await table.put({ pk: 'A', sk: '_', v: 1 });
      expect(await table.put({ pk: 'A', sk: '_', v: 2 }, { ifAbsent: true })).toBe(false);
      expect((await table.get('A', '_'))?.v).toBe(1);
      await table.flushed();
      expect((await table.get('A', '_'))?.v).toBe(1);
    } finally {
      await table.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes writes through the local-only view into the same groups as the table: the latest write of a key is what stays', async () => {
    // The engine checkpoints through the view, the use cases write through the table. The view
    // once issued a group into fields of its own, and the table issued the group it still held,
    // older writes included, again at its next barrier: a restart found executions a state back.
    const dir = mkdtempSync(join(tmpdir(), 'baton-group-commit-'));
    const file = join(dir, 'baton.lmdb');
    try {
      const table = new LmdbTable(file);
      const view = table.localOnly();
      await view.put({ pk: 'X#a', sk: '_', seq: 0 });
      // The next turn of the event loop: the group is issued, through the view that scheduled it.
      await new Promise((r) => setImmediate(r));
      await view.put({ pk: 'X#a', sk: '_', seq: 1 }, { if: when.equals('seq', 0) });
      await new Promise((r) => setImmediate(r));
      // The barrier before an HTTP answer, through the table.
      await table.flushed();
      await table.close();

      const reopened = new LmdbTable(file);
      try {
        expect((await reopened.get('X#a', '_'))?.seq).toBe(1);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** GET a path; the status once the answer arrives. */
function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('the local server and the store barrier', () => {
  it('answers a request only once every write issued before the answer is durable, and 503 when the commit failed', async () => {
    const rt = await startLocalRuntime({ journeys: [], clock: new VirtualClock(Date.parse('2026-01-01T00:00:00Z')) });
    const order: string[] = [];
    let release: (ok: boolean) => void = () => {};
    const flushed = () => {
      order.push('barrier');
      return new Promise<void>((resolve, reject) => {
        release = (ok) => {
          order.push('released');
          if (ok) resolve();
          else reject(new Error('commit failed'));
        };
      });
    };
    const server = await listen(rt.deps, 0, rt.events, flushed);
    try {
      const answered = get(server.port, '/health').then((status) => {
        order.push(`answered ${status}`);
      });
      while (!order.includes('barrier')) await new Promise((r) => setImmediate(r));
      release(true);
      await answered;
      const failed = get(server.port, '/health').then((status) => {
        order.push(`answered ${status}`);
      });
      while (order.filter((o) => o === 'barrier').length < 2) await new Promise((r) => setImmediate(r));
      release(false);
      await failed;
      expect(order).toEqual(['barrier', 'released', 'answered 200', 'barrier', 'released', 'answered 503']);
    } finally {
      await server.close();
      await rt.close();
    }
  });
});

describe('a webhook and the store barrier', () => {
  it('calls a configured webhook only once every write before the call is committed', async () => {
    const order: string[] = [];
    const original = LmdbTable.prototype.flushed;
    const spy = jest.spyOn(LmdbTable.prototype, 'flushed').mockImplementation(async function (this: LmdbTable) {
      order.push('barrier');
      await original.call(this);
      order.push('committed');
    });
    const hook = createServer((req, res) => {
      order.push('webhook');
      req.resume();
      req.on('end', () => res.end());
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-group-commit-'));
    const journey = helloJourney({
      start: 'call',
      steps: { call: { type: 'action', target: 'crm', next: 'done' }, done: { type: 'end' } },
    });
    const rt = await startLocalRuntime({
      journeys: [journey],
      clock: new VirtualClock(Date.parse('2026-01-01T00:00:00Z')),
      dataDir,
      destinations: { targets: { crm: { type: 'webhook', url } } },
      allowNetwork: true,
    });
    try {
      order.length = 0;
      await ingest(rt.deps, {
        id: 'e-1',
        type: 'x.happened',
        customerId: 'c-1',
        channel: 'web',
        time: '2026-01-01T00:00:00Z',
      });
      await rt.engine.idle();
      expect(order).toContain('webhook');
      // The call waited for a barrier that passed: what the dispatch recorded before it is on disk.
      expect(order.slice(order.indexOf('webhook') - 2, order.indexOf('webhook'))).toEqual(['barrier', 'committed']);
    } finally {
      spy.mockRestore();
      await rt.close();
      await new Promise((r) => hook.close(r));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
