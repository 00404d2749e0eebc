/**
 * What DynamoDB accepts, checked the same way by every adapter before it writes (so the local
 * stores refuse exactly what AWS would, and the DynamoDB adapter refuses it with the same clear
 * message before the request leaves): key sizes, the 400 KB item size, 32 levels of nesting, the
 * number range, and the value types a document can hold. Sizes are DynamoDB's documented rules
 * (UTF-8 bytes of names and strings, numbers by significant digits, 3 bytes per list or map plus
 * 1 per element); dynalite counts string length instead of bytes, the only place it is kinder.
 */
import { type Item, StoreValidationError } from './port';

/** The largest item DynamoDB stores, in bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** The largest partition key and sort key, in UTF-8 bytes. */
export const MAX_PK_BYTES = 2048;
export const MAX_SK_BYTES = 1024;
/** How deep documents may nest: a top-level attribute's map or list is level 1. */
export const MAX_DEPTH = 32;
/** DynamoDB numbers: magnitude below 1e126 and, unless zero, at least 1e-130. */
const MAX_MAGNITUDE = 1e126;
const MIN_MAGNITUDE = 1e-130;

/**
 * Check an item and return it without undefined members (as the SDK's marshalling drops them);
 * throws a StoreValidationError naming the attribute and the rule.
 */
export function checkedItem(item: Item): Item {
  checkKey(item.pk, item.sk);
  const out: Record<string, unknown> = {};
  // An upper bound of DynamoDB's size, counted on the way (each UTF-16 unit at most 3 UTF-8
  // bytes, a number at most 21): the exact size is worth computing only when the bound is over.
  const bound = { bytes: 0 };
  for (const name in item) {
    const value = item[name];
    if (value === undefined) continue;
    bound.bytes += name.length * 3;
    out[name] = checkedAt(value, name, bound);
  }
  if (bound.bytes > MAX_ITEM_BYTES) {
    let size = 0;
    for (const name in out) size += utf8Bytes(name) + valueBytes(out[name]);
    if (size > MAX_ITEM_BYTES)
      throw new StoreValidationError(
        `Item size has exceeded the maximum allowed size: ${size} bytes, at most ${MAX_ITEM_BYTES}`,
      );
  }
  return out as Item;
}

/** A value's rule broken below the top: the path is put together only once something broke. */
class BadValue {
  constructor(
    readonly message: string,
    readonly path: (string | number)[] = [],
  ) {}
}

/** checkedValue for a top-level attribute, with the failing value's path in the message. */
function checkedAt(value: unknown, name: string, bound: { bytes: number }): unknown {
  try {
    return checkedValue(value, 0, bound);
  } catch (err) {
    if (!(err instanceof BadValue)) throw err;
    const path = err.path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : `${p}.${k}`), name);
    throw new StoreValidationError(`${path}: ${err.message}`);
  }
}

/** Check a key: non-empty strings within DynamoDB's key size limits. */
export function checkKey(pk: unknown, sk: unknown): void {
  if (typeof pk !== 'string' || pk === '')
    throw new StoreValidationError('the partition key must be a non-empty string');
  if (typeof sk !== 'string' || sk === '') throw new StoreValidationError('the sort key must be a non-empty string');
  // The local stores separate the two keys with U+0000; Baton's keys never contain it.
  if (pk.includes('\u0000') || sk.includes('\u0000')) throw new StoreValidationError('keys cannot contain U+0000');
  // A UTF-16 unit is at most 3 UTF-8 bytes: a key that short cannot be too long, and is not
  // measured (every request checks its key; Baton's keys are a few dozen characters).
  if (pk.length * 3 > MAX_PK_BYTES && utf8Bytes(pk) > MAX_PK_BYTES)
    throw new StoreValidationError(`Size of hashkey has exceeded the maximum size limit of ${MAX_PK_BYTES} bytes`);
  if (sk.length * 3 > MAX_SK_BYTES && utf8Bytes(sk) > MAX_SK_BYTES)
    throw new StoreValidationError(
      `Aggregated size of all range keys has exceeded the size limit of ${MAX_SK_BYTES} bytes`,
    );
}

function checkedValue(value: unknown, depth: number, bound: { bytes: number }): unknown {
  if (typeof value === 'string') {
    bound.bytes += value.length * 3;
    return value;
  }
  if (value === null || typeof value === 'boolean') {
    bound.bytes += 1;
    return value;
  }
  if (typeof value === 'number') {
    const m = Math.abs(value);
    if (!Number.isFinite(value) || m >= MAX_MAGNITUDE || (m !== 0 && m < MIN_MAGNITUDE))
      throw new BadValue(`the number ${value} is outside DynamoDB's range (1e-130 to 1e126)`);
    bound.bytes += 21;
    return value;
  }
  if (typeof value !== 'object') throw new BadValue(`a ${typeof value} cannot be stored`);
  if (depth + 1 > MAX_DEPTH) throw new BadValue(`Nesting Levels have exceeded supported limits (${MAX_DEPTH})`);
  bound.bytes += 3;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) continue;
      bound.bytes += 1;
      out.push(nested(value[i], out.length, depth, bound));
    }
    return out;
  }
  // A plain object of any realm (the LMDB decoder builds its objects outside jest's sandbox).
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && Object.getPrototypeOf(proto) !== null)
    throw new BadValue(`a ${proto?.constructor?.name ?? 'object'} cannot be stored, only plain objects`);
  const out: Record<string, unknown> = {};
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    bound.bytes += 1 + k.length * 3;
    out[k] = nested(v, k, depth, bound);
  }
  return out;
}

function nested(value: unknown, key: string | number, depth: number, bound: { bytes: number }): unknown {
  try {
    return checkedValue(value, depth + 1, bound);
  } catch (err) {
    if (err instanceof BadValue) err.path.unshift(key);
    throw err;
  }
}

/** The UTF-8 length of a string. */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** DynamoDB's size of a value (already checked). */
function valueBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number') return numberBytes(value);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  return (
    3 +
    Object.entries(value as Record<string, unknown>).reduce((sum, [k, v]) => sum + 1 + utf8Bytes(k) + valueBytes(v), 0)
  );
}

/** About 1 byte per 2 significant digits, plus 1 (DynamoDB's documented rule; dynalite's formula). */
function numberBytes(n: number): number {
  if (n === 0) return 1;
  const [mantissa, exp] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '').length;
  const e = Number(exp);
  return 1 + Math.ceil(digits / 2) + (digits % 2 || e % 2 ? 0 : 1) + (n < 0 ? 1 : 0);
}
