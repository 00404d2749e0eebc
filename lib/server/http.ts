/** `baton dev`'s HTTP server on 127.0.0.1: reads the body (bounded) and routes it. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deps } from '../core/ports';
import { consoleRoute } from './console-routes';
import { type ApiResponse, errorBody, route } from './routes';

export { MAX_BATCH, postEvents } from './routes';

const MAX_BODY_BYTES = 20 * 1024 * 1024;

async function readBody(
  req: IncomingMessage,
): Promise<{ ok: true; text: string } | { ok: false; response: ApiResponse }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      return { ok: false, response: errorBody(413, 'too-large', `the body is larger than ${MAX_BODY_BYTES} bytes`) };
    chunks.push(chunk as Buffer);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

/** Handle one request of the local server. */
export async function handle(deps: Deps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const body = await readBody(req);
  let result: ApiResponse;
  if (body.ok) {
    const request = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: body.text || undefined,
    };
    // This server is always local, so the console comes first.
    result = (await consoleRoute(deps, request)) ?? (await route(deps, request, { local: true }));
  } else result = body.response;
  const text = result.contentType ? String(result.body) : JSON.stringify(result.body);
  res.writeHead(result.status, {
    'content-type': result.contentType ?? 'application/json',
    'content-length': Buffer.byteLength(text),
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

/** Listen on 127.0.0.1. */
export async function listen(deps: Deps, port: number): Promise<LocalServer> {
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handling: Promise<void> = handle(deps, req, res)
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
