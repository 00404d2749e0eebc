/**
 * What a web page in the user's browser can do to `baton dev` on 127.0.0.1, over a real listener:
 * a cross-site "simple" POST (text/plain, no preflight), a request from a foreign Origin, a request
 * through DNS rebinding (a foreign Host). Each is refused before it has any effect, while curl
 * (no Origin) and the console's own page keep working; OPTIONS and 405 say what is allowed and
 * never grant CORS.
 */
import { helloServerForFile } from '../helpers';
import { answered, type RawAnswer, rawRequest } from './raw-http';

const server = helloServerForFile();

const JSON_TYPE = { 'content-type': 'application/json' };
const send = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  answered(
    rawRequest(server.port, {
      method,
      path,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
const optOut = (id: string, customerId: string) => ({
  id,
  type: 'consent.updated',
  customerId,
  channel: 'web',
  time: '2026-11-20T15:00:00Z',
  data: { channel: 'email', status: 'opted_out' },
});
const history = async (customerId: string) => (await send('GET', `/customers/${customerId}/consent`)).json?.history;
function expectNoCorsGrant(a: RawAnswer) {
  expect(Object.keys(a.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
}

describe('requests a web page can make', () => {
  it('refuses a body not sent as JSON with 415 naming what is allowed, and does nothing with it', async () => {
    for (const contentType of [
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]) {
      const a = await send('POST', '/events', { 'content-type': contentType }, optOut('cross-site-1', 'c-victim'));
      expect(a.status).toBe(415);
      expect(a.json?.error).toEqual({
        code: 'unsupported-media-type',
        message: expect.stringMatching(/Content-Type: application\/json.*found "/),
      });
      expectNoCorsGrant(a);
    }
    const untyped = await send('PUT', '/customers/c-victim/profile', {}, { consent: { email: 'opted_in' } });
    expect(untyped.status).toBe(415);
    expect(untyped.json?.error?.message).toContain('found none');
    // Nothing was accepted: the consent history is empty and the same event id is new, not a duplicate.
    expect(await history('c-victim')).toEqual([]);
    expect((await send('GET', '/customers/c-victim/profile')).status).toBe(404);
    const real = await send('POST', '/events', { 'content-type': 'application/json; charset=utf-8' }, [
      optOut('cross-site-1', 'c-victim'),
    ]);
    expect(real.json).toEqual({ failedCount: 0, results: [{ id: 'cross-site-1', status: 'accepted' }] });
  });

  it('refuses a foreign Origin on every route, DELETE included, before it has any effect', async () => {
    expect((await send('PUT', '/customers/c-kept/profile', JSON_TYPE, { email: 'kept@example.com' })).status).toBe(200);
    for (const origin of [
      'http://evil.example',
      'null',
      `http://localhost:${server.port + 1}`,
      `https://127.0.0.1:${server.port}`,
    ]) {
      const erase = await send('DELETE', '/customers/c-kept', { origin });
      expect(erase.status).toBe(403);
      expect(erase.json?.error).toEqual({
        code: 'forbidden-origin',
        message: expect.stringContaining(JSON.stringify(origin)),
      });
      expect(erase.json?.error?.message).toContain(`http://127.0.0.1:${server.port}`);
      expectNoCorsGrant(erase);
      const post = await send(
        'POST',
        '/events',
        { ...JSON_TYPE, origin },
        optOut(`o-${origin}`.replace(/\W/g, '-'), 'c-kept'),
      );
      expect(post.status).toBe(403);
      expect((await send('GET', '/customers/c-kept/profile', { origin })).status).toBe(403);
    }
    expect((await send('GET', '/customers/c-kept/profile')).json).toEqual({
      customerId: 'c-kept',
      email: 'kept@example.com',
    });
    expect(await history('c-kept')).toEqual([]);
  });

  it('refuses a Host that is not a loopback name (DNS rebinding), DELETE included', async () => {
    expect((await send('PUT', '/customers/c-rebound/profile', JSON_TYPE, { email: 'r@example.com' })).status).toBe(200);
    for (const host of [
      `rebind.evil.example:${server.port}`,
      'evil.example',
      `127.0.0.1.evil.example:${server.port}`,
      `localhost:${server.port + 1}`,
    ]) {
      const erase = await send('DELETE', '/customers/c-rebound', { host });
      expect(erase.status).toBe(403);
      expect(erase.json?.error).toEqual({
        code: 'forbidden-host',
        message: expect.stringContaining(JSON.stringify(host)),
      });
      expect(erase.json?.error?.message).toContain(`localhost:${server.port}`);
      expect((await send('GET', '/customers/c-rebound/timeline', { host })).status).toBe(403);
    }
    expect((await send('GET', '/customers/c-rebound/profile')).status).toBe(200);
  });

  it('serves curl (no Origin) and the console page (its own origin) on every loopback Host', async () => {
    const hosts = [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      `[::1]:${server.port}`,
      `LOCALHOST:${server.port}`,
    ];
    const origins = [
      undefined,
      `http://127.0.0.1:${server.port}`,
      `http://localhost:${server.port}`,
      `http://[::1]:${server.port}`,
    ];
    for (const host of hosts) {
      for (const origin of origins) {
        const headers = { ...JSON_TYPE, host, ...(origin ? { origin } : {}) };
        const put = await send('PUT', '/customers/c-own/profile', headers, { email: 'own@example.com' });
        expect({ host, origin, status: put.status }).toEqual({ host, origin, status: 200 });
        expectNoCorsGrant(put);
      }
    }
    const page = await send('GET', '/', {
      host: `localhost:${server.port}`,
      origin: `http://localhost:${server.port}`,
    });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('answers OPTIONS with 204 and Allow, granting no other origin anything', async () => {
    const preflight = await send('OPTIONS', '/customers/c-1/profile', {
      origin: `http://127.0.0.1:${server.port}`,
      'access-control-request-method': 'PUT',
    });
    expect(preflight).toMatchObject({ status: 204, text: '' });
    expect(preflight.headers.allow).toBe('GET, PUT, OPTIONS');
    expectNoCorsGrant(preflight);
    expect((await send('OPTIONS', '/events')).headers.allow).toBe('POST, OPTIONS');
    expect((await send('OPTIONS', '/')).headers.allow).toBe('GET, OPTIONS');
    expect((await send('OPTIONS', '/nope')).status).toBe(404);
    const foreign = await send('OPTIONS', '/events', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
    });
    expect(foreign.status).toBe(403);
    expectNoCorsGrant(foreign);
  });

  it('answers a known path asked with a wrong method with 405 and Allow', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', '/events', 'POST, OPTIONS'],
      ['GET', '/events', 'POST, OPTIONS'],
      ['PATCH', '/customers/c-1/profile', 'GET, PUT, OPTIONS'],
      ['POST', '/customers/c-1', 'DELETE, OPTIONS'],
      ['POST', '/', 'GET, OPTIONS'],
      ['DELETE', '/outbox', 'GET, OPTIONS'],
    ];
    for (const [method, path, allow] of cases) {
      const a = await send(method, path, JSON_TYPE, method === 'GET' ? undefined : {});
      expect({ method, path, status: a.status, allow: a.headers.allow }).toEqual({ method, path, status: 405, allow });
      expect(a.json?.error).toEqual({
        code: 'method-not-allowed',
        message: expect.stringContaining(`${method} is not allowed`),
      });
    }
  });
});
