/**
 * `baton dev`'s HTTP server on 127.0.0.1: reads the body (bounded), refuses what a web page sent
 * on another site's behalf (local-origin.ts), and routes the rest.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deps } from '../core/ports';
import { consoleRoute } from './console-routes';
import type { EventIntake } from './intake';
import { refuseForeign } from './local-origin';
import { type ApiResponse, errorBody, route } from './routes';

export { MAX_BATCH, postEvents } from './routes';

const MAX_BODY_BYTES = 20 * 1024 * 1024;

async function readBody(
  req: IncomingMessage,
): Promise<{ ok: true; text: string } | { ok: false; response: ApiResponse }> {
  // Listeners, not `for await`: an async iterator costs a promise per chunk, on every event posted.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      // Not read on: the answer (413) closes the connection.
      req.off('data', onData).off('end', onEnd).off('error', reject).pause();
      resolve({ ok: false, response: errorBody(413, 'too-large', `the body is larger than ${MAX_BODY_BYTES} bytes`) });
    };
    const onEnd = () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    // A client gone before the end makes the request emit an error: the read fails, as `for await`'s did.
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/**
 * The path (still percent-encoded) and the query of a request target. Never throws: `new URL`
 * does on `//` and reads `//x/events` as host x, path /events.
 */
function target(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  return q < 0
    ? { path: url, query: new URLSearchParams() }
    : { path: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}

async function answer(
  deps: Deps,
  req: IncomingMessage,
  text: string,
  intake: EventIntake | undefined,
): Promise<ApiResponse> {
  const refused = refuseForeign(req.headers, req.socket.localPort ?? 0);
  if (refused) return refused;
  const request = {
    method: req.method ?? 'GET',
    ...target(req.url ?? '/'),
    body: text || undefined,
    contentType: req.headers['content-type'],
  };
  // This server is always local, so the console comes first.
  return (await consoleRoute(deps, request)) ?? (await route(deps, request, { local: true, intake }));
}

/**
 * The answer, once every write issued so far is durable (`flushed`): the store may resolve writes
 * before they commit, and what a client was told — `accepted`, a message in the outbox — must
 * survive a kill -9 that follows the answer.
 */
async function durable(result: ApiResponse, flushed: () => Promise<void>, deps: Deps): Promise<ApiResponse> {
  try {
    await flushed();
    return result;
  } catch (err) {
    deps.log.error('the store could not commit', { error: (err as Error)?.name ?? 'Error' });
    return errorBody(
      503,
      'store-failed',
      'the local store could not commit what this request wrote; restart baton dev',
    );
  }
}

/**
 * Handle one request of the local server; events go to `intake` when there is one; the answer
 * waits for `flushed` (the store's barrier).
 */
export async function handle(
  deps: Deps,
  req: IncomingMessage,
  res: ServerResponse,
  intake?: EventIntake,
  flushed: () => Promise<void> = async () => {},
): Promise<void> {
  const body = await readBody(req);
  const result = await durable(body.ok ? await answer(deps, req, body.text, intake) : body.response, flushed, deps);
  const text = result.status === 204 ? '' : result.contentType ? String(result.body) : JSON.stringify(result.body);
  res.writeHead(result.status, {
    ...(result.status === 204
      ? {}
      : { 'content-type': result.contentType ?? 'application/json', 'content-length': Buffer.byteLength(text) }),
    ...result.headers,
    // The rest of a refused body was never read, so this connection cannot carry another request.
    ...(body.ok ? {} : { connection: 'close' }),
  });
  res.end(text);
}

export interface LocalServer {
  server: Server;
  port: number;
  /**
   * Stop taking requests, let every request in progress finish and answer, then drop the idle
   * keep-alive connections. A client that gave up on a request does not cut its processing short:
   * the store stays open until every handler is done.
   */
  close(): Promise<void>;
}

/**
 * Listen on 127.0.0.1; POST /events accepts into `intake` (`baton dev`'s queue) when given; every
 * answer waits for `flushed` (the store's barrier: LocalRuntime.flushed).
 */
export async function listen(
  deps: Deps,
  port: number,
  intake?: EventIntake,
  flushed?: () => Promise<void>,
): Promise<LocalServer> {
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handling: Promise<void> = handle(deps, req, res, intake, flushed)
      .catch((err) => {
        // The client went away while its body was read: nothing was accepted, nothing to answer.
        deps.log.warn('request abandoned', { error: (err as Error)?.name ?? 'Error' });
        if (!res.headersSent) res.destroy();
      })
      .finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      while (inFlight.size) await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
    },
  };
}
