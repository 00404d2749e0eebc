/**
 * JSONata as Step Functions runs it: jsonata 2.0.6 (pinned to AWS's version), compiled
 * expressions cached, and the functions Step Functions adds that Baton's documents use.
 */
import { createHash } from 'node:crypto';
import jsonata from 'jsonata';

const cache = new Map<string, jsonata.Expression>();

/** Compile (once) an expression, registering the Step Functions extras. */
export function compiled(expr: string): jsonata.Expression {
  let e = cache.get(expr);
  if (!e) {
    e = jsonata(expr);
    e.registerFunction('parse', (text: string) => JSON.parse(text), '<s:j>');
    e.registerFunction(
      'hash',
      (data: unknown, algorithm: string) =>
        createHash(algorithmName(algorithm))
          .update(typeof data === 'string' ? data : JSON.stringify(data))
          .digest('hex'),
      '<js:s>',
    );
    cache.set(expr, e);
  }
  return e;
}

function algorithmName(a: string): string {
  const names: Record<string, string> = {
    MD5: 'md5',
    'SHA-1': 'sha1',
    'SHA-256': 'sha256',
    'SHA-384': 'sha384',
    'SHA-512': 'sha512',
  };
  const n = names[a];
  if (!n) throw new Error(`$hash: unsupported algorithm ${a}; use one of ${Object.keys(names).join(', ')}`);
  return n;
}

/** Evaluate an expression with variables bound as `$name`. */
export async function evaluate(expr: string, bindings: Record<string, unknown>, input?: unknown): Promise<unknown> {
  return compiled(expr).evaluate(input, bindings);
}

/** Evaluate a condition; anything but `true` is false. */
export async function holds(expr: string, bindings: Record<string, unknown>): Promise<boolean> {
  return (await evaluate(expr, bindings)) === true;
}
