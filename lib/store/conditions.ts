/**
 * The port's conditions and updates, applied in JavaScript by the local adapters exactly as
 * DynamoDB applies them (test/store/contract.test.ts holds both to the same results), and turned
 * into DynamoDB expressions for the AWS adapter.
 */
import { type Cond, type Item, type Scalar, StoreValidationError, type Update } from './port';

/** Compare two strings in UTF-8 byte order (Unicode code point order), as DynamoDB sorts and compares them. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only between surrogates and U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** The value at a dotted path of an item, or undefined. */
export function valueAt(item: Record<string, unknown> | undefined, path: string): unknown {
  // Most conditions name a top-level attribute: no split, no array.
  if (!path.includes('.')) return item?.[path];
  let v: unknown = item;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function sameScalar(a: unknown, b: Scalar): boolean {
  return a === b;
}

/** -1, 0, 1, or undefined when DynamoDB would not compare the two (different types, not number or string). */
function order(a: unknown, b: number | string): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return Math.sign(compareUtf8(a, b));
  return undefined;
}

/** Whether a condition holds for the item a write finds (undefined: no item). */
export function holds(cond: Cond, item: Item | undefined): boolean {
  if ('all' in cond) return nonEmpty(cond.all).every((c) => holds(c, item));
  if ('any' in cond) return nonEmpty(cond.any).some((c) => holds(c, item));
  if ('itemExists' in cond) return item !== undefined;
  if ('itemAbsent' in cond) return item === undefined;
  const v = valueAt(item, cond.attr);
  if ('exists' in cond) return v !== undefined;
  if ('absent' in cond) return v === undefined;
  if ('equals' in cond) return v !== undefined && sameScalar(v, cond.equals);
  if ('notEquals' in cond) return v === undefined || !sameScalar(v, cond.notEquals);
  if ('in' in cond) return v !== undefined && nonEmpty(cond.in).some((x) => sameScalar(v, x));
  if ('lessThan' in cond) return order(v, cond.lessThan) === -1;
  if ('atMost' in cond) return (order(v, cond.atMost) ?? 1) <= 0;
  if ('atLeast' in cond) return (order(v, cond.atLeast) ?? -1) >= 0;
  return assertNever(cond);
}

/** The item after an update (a new object; `prev` is not changed). Throws when `add` meets a non-number. */
export function applyUpdate(prev: Item | undefined, pk: string, sk: string, changes: Update): Item {
  const gone = removed(changes);
  // Copied without what goes, rather than copied then deleted from: `delete` turns an object into
  // a slow dictionary for every later reader (conditions, copies, item checks, JSON).
  const next: Record<string, unknown> = gone ? without(prev, gone) : { ...prev };
  next.pk = pk;
  next.sk = sk;
  for (const k in changes.set) {
    const v = changes.set[k];
    if (v !== undefined && !gone?.has(k)) next[k] = v;
  }
  for (const [k, n] of Object.entries(changes.add ?? {})) {
    const current = next[k];
    if (current !== undefined && typeof current !== 'number')
      throw new StoreValidationError(
        `An operand in the update expression has an incorrect data type: ${k} is not a number`,
      );
    next[k] = (current ?? 0) + n;
  }
  return next as Item;
}

/** The attributes an update removes (`remove`, or `set` to undefined), if any. */
function removed(changes: Update): Set<string> | undefined {
  let gone = changes.remove?.length ? new Set<string>(changes.remove) : undefined;
  for (const k in changes.set) {
    if (changes.set[k] !== undefined) continue;
    gone ??= new Set();
    gone.add(k);
  }
  return gone;
}

/** A copy of an item's attributes but some. */
function without(item: Item | undefined, gone: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in item) if (!gone.has(k)) out[k] = item[k];
  return out;
}

/** A DynamoDB condition expression with its names and values. */
export interface Expression {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** Builds expressions with placeholders that never collide with one another. */
export class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private n = 0;

  /** A placeholder for an attribute path (`#a0.#a1`). */
  name(path: string): string {
    return path
      .split('.')
      .map((part) => {
        const existing = Object.entries(this.names).find(([, v]) => v === part)?.[0];
        if (existing) return existing;
        const key = `#a${this.n++}`;
        this.names[key] = part;
        return key;
      })
      .join('.');
  }

  /** A placeholder for a top-level attribute, whatever its name holds (an update's names: dots are not paths). */
  attribute(name: string): string {
    const existing = Object.entries(this.names).find(([, v]) => v === name)?.[0];
    if (existing) return existing;
    const key = `#a${this.n++}`;
    this.names[key] = name;
    return key;
  }

  /** A placeholder for a value. */
  value(v: unknown): string {
    const key = `:v${this.n++}`;
    this.values[key] = v;
    return key;
  }

  /** The expression of a condition. */
  condition(cond: Cond): string {
    // A group of one is its member: DynamoDB refuses `((a OR b))` as "redundant parentheses".
    if ('all' in cond && cond.all.length === 1) return this.condition(cond.all[0]);
    if ('any' in cond && cond.any.length === 1) return this.condition(cond.any[0]);
    if ('all' in cond)
      return `(${nonEmpty(cond.all)
        .map((c) => this.condition(c))
        .join(' AND ')})`;
    if ('any' in cond)
      return `(${nonEmpty(cond.any)
        .map((c) => this.condition(c))
        .join(' OR ')})`;
    if ('itemExists' in cond) return `attribute_exists(${this.name('pk')})`;
    if ('itemAbsent' in cond) return `attribute_not_exists(${this.name('pk')})`;
    const a = this.name(cond.attr);
    if ('exists' in cond) return `attribute_exists(${a})`;
    if ('absent' in cond) return `attribute_not_exists(${a})`;
    if ('equals' in cond) return `${a} = ${this.value(cond.equals)}`;
    if ('notEquals' in cond) return `${a} <> ${this.value(cond.notEquals)}`;
    if ('in' in cond)
      return `${a} IN (${nonEmpty(cond.in)
        .map((v) => this.value(v))
        .join(', ')})`;
    if ('lessThan' in cond) return `${a} < ${this.value(cond.lessThan)}`;
    if ('atMost' in cond) return `${a} <= ${this.value(cond.atMost)}`;
    if ('atLeast' in cond) return `${a} >= ${this.value(cond.atLeast)}`;
    return assertNever(cond);
  }
}

function nonEmpty<T>(list: T[]): T[] {
  if (!list.length) throw new TypeError('a condition list (all, any, in) must not be empty');
  return list;
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
