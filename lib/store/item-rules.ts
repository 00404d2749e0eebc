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
  let size = 0;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    const clean = checkedValue(value, name, 0);
    size += utf8Bytes(name) + valueBytes(clean);
    out[name] = clean;
  }
  if (size > MAX_ITEM_BYTES)
    throw new StoreValidationError(
      `Item size has exceeded the maximum allowed size: ${size} bytes, at most ${MAX_ITEM_BYTES}`,
    );
  return out as Item;
}

/** Check a key: non-empty strings within DynamoDB's key size limits. */
export function checkKey(pk: unknown, sk: unknown): void {
  if (typeof pk !== 'string' || pk === '')
    throw new StoreValidationError('the partition key must be a non-empty string');
  if (typeof sk !== 'string' || sk === '') throw new StoreValidationError('the sort key must be a non-empty string');
  // The local stores separate the two keys with U+0000; Baton's keys never contain it.
  if (pk.includes('\u0000') || sk.includes('\u0000')) throw new StoreValidationError('keys cannot contain U+0000');
  if (utf8Bytes(pk) > MAX_PK_BYTES)
    throw new StoreValidationError(`Size of hashkey has exceeded the maximum size limit of ${MAX_PK_BYTES} bytes`);
  if (utf8Bytes(sk) > MAX_SK_BYTES)
    throw new StoreValidationError(
      `Aggregated size of all range keys has exceeded the size limit of ${MAX_SK_BYTES} bytes`,
    );
}

function checkedValue(value: unknown, path: string, depth: number): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    const m = Math.abs(value);
    if (!Number.isFinite(value) || m >= MAX_MAGNITUDE || (m !== 0 && m < MIN_MAGNITUDE))
      throw new StoreValidationError(`${path}: the number ${value} is outside DynamoDB's range (1e-130 to 1e126)`);
    return value;
  }
  if (typeof value !== 'object') throw new StoreValidationError(`${path}: a ${typeof value} cannot be stored`);
  if (depth + 1 > MAX_DEPTH)
    throw new StoreValidationError(`${path}: Nesting Levels have exceeded supported limits (${MAX_DEPTH})`);
  if (Array.isArray(value))
    return value.filter((v) => v !== undefined).map((v, i) => checkedValue(v, `${path}[${i}]`, depth + 1));
  // A plain object of any realm (the LMDB decoder builds its objects outside jest's sandbox).
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && Object.getPrototypeOf(proto) !== null)
    throw new StoreValidationError(
      `${path}: a ${proto?.constructor?.name ?? 'object'} cannot be stored, only plain objects`,
    );
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = checkedValue(v, `${path}.${k}`, depth + 1);
  return out;
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
