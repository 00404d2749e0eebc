/**
 * JSONata as Step Functions runs it: jsonata 2.0.6 (pinned to AWS's version), compiled
 * expressions cached, and the functions Step Functions adds: $partition, $range, $hash, $random,
 * $uuid, $parse.
 */
import { createHash, randomUUID } from 'node:crypto';
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
    e.registerFunction(
      'partition',
      (items: unknown[], size: number) => {
        if (!Number.isInteger(size) || size < 1) throw new Error('$partition: size must be a positive integer');
        const out: unknown[][] = [];
        for (let i = 0; i < (items ?? []).length; i += size) out.push(items.slice(i, i + size));
        return out;
      },
      '<an:a>',
    );
    e.registerFunction(
      'range',
      (start: number, end: number, step: number) => {
        if (!step) throw new Error('$range: step must not be 0');
        const out: number[] = [];
        for (let v = start; step > 0 ? v <= end : v >= end; v += step) out.push(v);
        return out;
      },
      '<nnn:a>',
    );
    e.registerFunction('random', (seed?: number) => (seed === undefined ? Math.random() : seeded(seed)), '<n?:n>');
    e.registerFunction('uuid', () => randomUUID(), '<:s>');
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

/** A number in [0, 1) fixed by the seed, as Step Functions' `$random(seed)` gives. */
function seeded(seed: number): number {
  return createHash('sha256').update(String(seed)).digest().readUInt32BE(0) / 0x1_0000_0000;
}
