/**
 * Hostile input to every route of the local server, over a real listener: each case of
 * hostile-cases.ts once answered 500, reset the connection or answered oddly, and must now be a
 * 400 naming the field, the value found and what is allowed, with no effect. What is just inside
 * the limits is kept, and DynamoDB's rules (dynalite) accept it.
 */

import { MAX_PROFILE_BYTES } from '../../lib/core/profile';
import { helloServerForFile } from '../helpers';
import { HOSTILE_CASES, hostileReservedBatch, nested } from './hostile-cases';
import { answered, rawRequest } from './raw-http';

const server = helloServerForFile();

const send = (method: string, path: string, body?: string) =>
  answered(rawRequest(server.port, { method, path, body, headers: { 'content-type': 'application/json' } }));

describe('hostile input to the local server', () => {
  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))(
    '%s: 400 naming the field, the value and the rule',
    async (_, c) => {
      const a = await send(c.method, c.path, c.body);
      expect(a.status).toBe(400);
      expect(a.json?.error?.code).toBe(c.code);
      const errors = (a.json?.error?.errors ?? []) as { path: string; message: string }[];
      const text = c.field === undefined ? a.json?.error?.message : errors.find((e) => e.path === c.field)?.message;
      if (text === undefined) throw new Error(`no error at ${c.field}: ${a.text.slice(0, 500)}`);
      for (const part of c.says) expect(text).toContain(part);
    },
  );

  it('rejects reserved events whose data the engine cannot act on, and accepts the good one beside them', async () => {
    const { batch, results } = hostileReservedBatch('c-reserved');
    const a = await send('POST', '/events', JSON.stringify(batch));
    expect(a.json).toEqual({ failedCount: 4, results });
    await server.processed();
    const history = (await send('GET', '/customers/c-reserved/consent')).json?.history;
    expect(history).toEqual([expect.objectContaining({ channel: 'email', status: 'opted_out' })]);
  });

  it('had no effect: the customer the bad profiles were for has none', async () => {
    expect((await send('GET', '/customers/c-hostile/profile')).status).toBe(404);
  });

  it('keeps attributes nested exactly 30 levels deep', async () => {
    const body = { attributes: nested(30) };
    expect((await send('PUT', '/customers/c-deep/profile', JSON.stringify(body))).status).toBe(200);
    expect((await send('GET', '/customers/c-deep/profile')).json).toEqual({ customerId: 'c-deep', ...body });
  });

  it('stores the largest profile, in the shape DynamoDB counts largest (lists of lists), in the 400 KB item', async () => {
    // Each level of [[...]] is 2 bytes of JSON and 4 bytes of DynamoDB item: twice the JSON size.
    // attributes, chains and 28 levels of chain make the 30 levels attributes may have.
    const chain = JSON.parse(`${'['.repeat(28)}${']'.repeat(28)}`);
    const empty = Buffer.byteLength(JSON.stringify({ customerId: 'c-big', attributes: { chains: [] } }));
    const count = Math.floor((MAX_PROFILE_BYTES - empty + 1) / (JSON.stringify(chain).length + 1));
    const chains: unknown[] = Array.from({ length: count }, () => chain);
    const attributes = { chains };
    expect(Buffer.byteLength(JSON.stringify({ customerId: 'c-big', attributes }))).toBeGreaterThan(
      MAX_PROFILE_BYTES - 60,
    );
    const body = JSON.stringify({ attributes });
    expect((await send('PUT', '/customers/c-big/profile', body)).status).toBe(200);
    expect((await send('GET', '/customers/c-big/profile')).json).toEqual({ customerId: 'c-big', attributes });
    // One chain more is refused with a message, not a 500.
    chains.push(chain);
    const over = await send('PUT', '/customers/c-big/profile', JSON.stringify({ attributes }));
    expect(over.status).toBe(400);
    expect(over.json?.error?.errors).toEqual([
      { path: '', message: expect.stringContaining(`a profile must be at most ${MAX_PROFILE_BYTES} bytes serialized`) },
    ]);
  });
});
