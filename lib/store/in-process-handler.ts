/**
 * An SDK request handler that hands each DynamoDB request straight to dynalite's request
 * listener in this process: the same dynalite and the same SDK marshalling as over loopback,
 * without a socket and an HTTP parser per call. Used where nothing outside the process needs the
 * store (simulate, tests).
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

interface SdkRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** The `requestHandler` for a DynamoDBClient that talks to dynalite in-process. */
export function inProcessHandler(listener: Listener) {
  return {
    metadata: { handlerProtocol: 'in-process' },
    destroy() {},
    async handle(
      request: SdkRequest,
    ): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: Readable } }> {
      const req = Object.assign(new EventEmitter(), {
        method: request.method,
        url: request.path,
        headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
      });
      return new Promise((resolve) => {
        const headers: Record<string, string> = {};
        const res = {
          statusCode: 200,
          setHeader(name: string, value: unknown) {
            headers[name.toLowerCase()] = String(value);
          },
          end(body?: string | Buffer) {
            const buf = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
            resolve({ response: { statusCode: res.statusCode, headers, body: Readable.from([buf]) } });
          },
        };
        listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
        const raw = request.body;
        // A view of the bytes: the SDK's body type warns when treated as a string.
        const body =
          raw === undefined
            ? undefined
            : typeof raw === 'string'
              ? Buffer.from(raw)
              : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
        process.nextTick(() => {
          if (body?.length) req.emit('data', body);
          req.emit('end');
        });
      });
    },
  };
}
