/**
 * Value expressions and conditions of the journey language (SPEC §3), parsed once and compiled
 * to JSONata. The same JSONata runs in Choice states, in the local engine and in handlers that
 * evaluate conditions over data that must not enter the state machine (profiles, messages).
 */
import type { Comparison, Condition, ValueExpr } from './schema';
import { OPERATORS, show } from './schema';

export const ROOTS = ['trigger', 'profile', 'context', 'events', 'messages', 'session'] as const;
export type Root = (typeof ROOTS)[number];
/** Roots whose data lives outside the state machine and must be read by a handler. */
export const LOOKUP_ROOTS: readonly Root[] = ['profile', 'messages', 'session'];

export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'path'; root: Root; segments: string[] };

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parse a value expression; returns an error message naming what was found and what is allowed. */
export function parseExpr(value: ValueExpr): Expr | { kind: 'error'; message: string } {
  if (typeof value !== 'string') return { kind: 'literal', value };
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
    return { kind: 'literal', value: value.slice(1, -1) };
  }
  return parsePath(value);
}

/** Parse a path such as `trigger.data.cartId`. */
export function parsePath(text: string): Expr | { kind: 'error'; message: string } {
  const [root, ...segments] = text.split('.');
  if (!(ROOTS as readonly string[]).includes(root)) {
    return {
      kind: 'error',
      message: `${show(text)} has an unknown root ${show(root)}; a path starts with one of ${ROOTS.join(', ')} (a literal string is quoted: "'text'")`,
    };
  }
  if (segments.length === 0 && root !== 'trigger' && root !== 'context') {
    return { kind: 'error', message: `${show(text)} names no field; write e.g. ${root}.something` };
  }
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (bad !== undefined) {
    return {
      kind: 'error',
      message: `${show(text)} has an invalid segment ${show(bad)}; segments use letters, digits, _ and -`,
    };
  }
  return { kind: 'path', root: root as Root, segments };
}

/** How a name (a root, or customerId) is referenced in JSONata: as a workflow variable, or from the state input. */
export type Scope = (name: string) => string;
export const variableScope: Scope = (name) => `$${name}`;
export const inputScope: Scope = (name) => `$states.input.${name}`;

/**
 * A JSON value as a JSONata literal. JSON.stringify leaves U+2028 and U+2029 raw, and ASL matches
 * a JSONata string with `{% .+ %}`, whose `.` stops at those line separators: they are escaped.
 */
export function jsonataLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** JSONata for a parsed expression. */
export function exprToJsonata(expr: Expr, scope: Scope): string {
  if (expr.kind === 'literal') return jsonataLiteral(expr.value);
  return scope(expr.root) + expr.segments.map((s) => (IDENTIFIER.test(s) ? `.${s}` : `.\`${s}\``)).join('');
}

/** JSONata for a value expression that is known to be valid (validation ran first). */
export function valueToJsonata(value: ValueExpr, scope: Scope): string {
  const expr = parseExpr(value);
  if (expr.kind === 'error') throw new Error(expr.message);
  return exprToJsonata(expr, scope);
}

/**
 * JSONata for a value that may be missing at run time, as null: Step Functions fails a field whose
 * expression returns nothing (States.QueryEvaluationError), and a missing match value or reason
 * must not fail the instance.
 */
export function valueOrNullJsonata(value: ValueExpr, scope: Scope): string {
  return `($v := ${valueToJsonata(value, scope)}; $exists($v) ? $v : null)`;
}

/** The operator of a comparison, or a message when it has none or several. */
export function comparisonOperator(c: Comparison): { op: (typeof OPERATORS)[number] } | { error: string } {
  const ops = OPERATORS.filter((op) => c[op] !== undefined);
  if (ops.length === 1) return { op: ops[0] };
  return {
    error:
      ops.length === 0
        ? `a comparison needs one operator beside "path": one of ${OPERATORS.join(', ')}`
        : `a comparison takes exactly one operator, found ${ops.join(', ')}`,
  };
}

/** JSONata that is true when the condition holds; never throws on missing or mistyped data. */
export function conditionToJsonata(cond: Condition, scope: Scope): string {
  if ('all' in cond)
    return cond.all.length ? `(${cond.all.map((c) => conditionToJsonata(c, scope)).join(' and ')})` : 'true';
  if ('any' in cond)
    return cond.any.length ? `(${cond.any.map((c) => conditionToJsonata(c, scope)).join(' or ')})` : 'false';
  if ('not' in cond) return `$not(${conditionToJsonata(cond.not, scope)})`;
  const found = comparisonOperator(cond);
  if ('error' in found) throw new Error(found.error);
  const a = valueToJsonata(cond.path, scope);
  const v = jsonataLiteral(cond[found.op]);
  switch (found.op) {
    case 'eq':
      return `(${a} = ${v})`;
    case 'ne':
      return `$not(${a} = ${v})`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[found.op];
      // JSONata throws when the two sides differ in type; a journey must not fail on odd data.
      const type = typeof cond[found.op] === 'number' ? 'number' : 'string';
      return `($type(${a}) = '${type}' and ${a} ${sym} ${v})`;
    }
    case 'in':
      return `(${a} in ${v})`;
    case 'exists':
      return cond.exists ? `$exists(${a})` : `$not($exists(${a}))`;
    case 'contains':
      return `(($type(${a}) = 'string' and $type(${v}) = 'string' and $contains(${a}, ${v})) or ($type(${a}) = 'array' and ${v} in ${a}))`;
    case 'startsWith':
      return `($type(${a}) = 'string' and $substring(${a}, 0, ${JSON.stringify((cond.startsWith ?? '').length)}) = ${v})`;
  }
}

/** Every path a condition reads, with the JSON pointer suffix of the field that holds it. */
export function conditionPaths(cond: Condition, pointer = ''): { pointer: string; path: string }[] {
  if ('all' in cond) return cond.all.flatMap((c, i) => conditionPaths(c, `${pointer}/all/${i}`));
  if ('any' in cond) return cond.any.flatMap((c, i) => conditionPaths(c, `${pointer}/any/${i}`));
  if ('not' in cond) return conditionPaths(cond.not, `${pointer}/not`);
  return [{ pointer: `${pointer}/path`, path: cond.path }];
}

/** Every comparison of a condition, with its JSON pointer suffix. */
export function conditionComparisons(cond: Condition, pointer = ''): { pointer: string; comparison: Comparison }[] {
  if ('all' in cond) return cond.all.flatMap((c, i) => conditionComparisons(c, `${pointer}/all/${i}`));
  if ('any' in cond) return cond.any.flatMap((c, i) => conditionComparisons(c, `${pointer}/any/${i}`));
  if ('not' in cond) return conditionComparisons(cond.not, `${pointer}/not`);
  return [{ pointer, comparison: cond }];
}
