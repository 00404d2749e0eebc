/**
 * A raw HTTP/1.1 request to a local server, for tests that must control what fetch would not let
 * them (Host, Origin, a path fetch would normalize): resolves with the answer, or with `reset` when
 * the connection died instead of answering.
 */
import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The JSON body, when the answer has one. */
  json?: Record<string, unknown> & { error?: { code: string; message: string; errors?: unknown[] } };
}

/** Send one request on its own connection; `path` goes out byte for byte. */
export function rawRequest(
  port: number,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawAnswer | { reset: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method,
        path: opts.path,
        // Node's client frames DELETE and OPTIONS bodies only when given their length.
        headers: {
          ...(opts.body === undefined ? {} : { 'content-length': Buffer.byteLength(opts.body) }),
          ...opts.headers,
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => resolve({ reset: err.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const json = String(res.headers['content-type']).startsWith('application/json')
            ? JSON.parse(text)
            : undefined;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', (err) => resolve({ reset: err.message }));
    req.end(opts.body);
  });
}

/** The answer, failing the test on a reset. */
export async function answered(pending: Promise<RawAnswer | { reset: string }>): Promise<RawAnswer> {
  const a = await pending;
  if ('reset' in a) throw new Error(`the connection was reset instead of answered: ${a.reset}`);
  return a;
}
