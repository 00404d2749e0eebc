/**
 * JSON that Baton can keep exactly as sent: the rules shared by an event's `data` and a profile's
 * `attributes`, so both are refused with a message (never a 500) when DynamoDB could not store them.
 */
import { show } from '../journey/schema';
import { pointerOf } from '../journey/validate';
import type { FieldError } from './envelope';
import { pathDeeperThan } from './nesting';

/**
 * Numbers JSON.parse keeps exactly and DynamoDB can store (the SDK refuses unsafe integers, DynamoDB
 * magnitudes under 1e-130); anything else must travel as a string.
 */
export const MAX_NUMBER = Number.MAX_SAFE_INTEGER;
export const MIN_MAGNITUDE = 1e-130;
/** Keys that cannot survive storage: they are an object's prototype and constructor once read back. */
export const RESERVED_KEYS = ['__proto__', 'constructor'];
/** DynamoDB's longest attribute name, which holds for the keys of nested maps too. */
export const MAX_KEY_BYTES = 65_535;
/** How many problems one value reports: enough to fix, never a flood. */
const MAX_ERRORS = 5;

export interface StorableRules {
  /** How the value is called in messages: `data`, `attributes`. */
  what: string;
  /** The most levels of objects and arrays, the value itself being the first. */
  maxDepth: number;
  /** The most bytes of the value serialized as JSON. */
  maxBytes: number;
}

/**
 * A string with a lone UTF-16 surrogate (`"\ud800"` in JSON) is not Unicode: stored, it comes back
 * as U+FFFD, so it is refused rather than changed.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function notUnicode(what: string, at: (string | number)[], which: 'strings' | 'keys'): FieldError {
  return {
    path: pointerOf(at),
    message: `${what} ${which} must be valid Unicode, found one with a lone surrogate (a \\ud800-\\udfff escape not in a pair)`,
  };
}

/**
 * What `value`, found at `path` of a parsed body, holds that Baton cannot keep as sent. Checked on
 * the parsed body itself (zod's record drops `__proto__` silently) and without recursion (a body
 * may nest thousands deep).
 */
export function storableErrors(value: unknown, path: (string | number)[], rules: StorableRules): FieldError[] {
  const { what, maxDepth, maxBytes } = rules;
  const deep = pathDeeperThan(value, maxDepth);
  if (deep) {
    const at = `${pointerOf([...path, ...deep.slice(0, 4)])}${deep.length > 4 ? '/...' : ''}`;
    return [
      { path: pointerOf(path), message: `${what} must nest at most ${maxDepth} levels deep, found deeper at ${at}` },
    ];
  }
  const errors: FieldError[] = [];
  const todo: { value: unknown; path: (string | number)[] }[] = [{ value, path }];
  while (todo.length && errors.length < MAX_ERRORS) {
    const { value: v, path: at } = todo.pop()!;
    if (typeof v === 'number' && (Math.abs(v) > MAX_NUMBER || (v !== 0 && Math.abs(v) < MIN_MAGNITUDE))) {
      errors.push({
        path: pointerOf(at),
        message: `${what} numbers must be between -${MAX_NUMBER} and ${MAX_NUMBER} and not smaller than ${MIN_MAGNITUDE} in magnitude (send others as strings), found ${v}`,
      });
    }
    if (typeof v === 'string' && LONE_SURROGATE.test(v)) errors.push(notUnicode(what, at, 'strings'));
    if (v === null || typeof v !== 'object') continue;
    for (const [k, item] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
      if (typeof k === 'string' && LONE_SURROGATE.test(k)) {
        errors.push(notUnicode(what, at, 'keys'));
      } else if (typeof k === 'string' && RESERVED_KEYS.includes(k)) {
        errors.push({
          path: pointerOf([...at, k]),
          message: `${what} keys ${RESERVED_KEYS.join(' and ')} are reserved, found ${show(k)}`,
        });
      } else if (typeof k === 'string' && Buffer.byteLength(k) > MAX_KEY_BYTES) {
        errors.push({
          path: pointerOf(at),
          message: `${what} keys must be at most ${MAX_KEY_BYTES} bytes, found one of ${Buffer.byteLength(k)}: ${show(k)}`,
        });
      } else todo.push({ value: item, path: [...at, k] });
    }
  }
  if (errors.length) return errors;
  const bytes = Buffer.byteLength(JSON.stringify(value));
  return bytes > maxBytes
    ? [{ path: pointerOf(path), message: `${what} must be at most ${maxBytes} bytes serialized, found ${bytes}` }]
    : [];
}
