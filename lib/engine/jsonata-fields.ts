/**
 * JSONata fields of ASL states as Step Functions evaluates them: a string that is exactly
 * `{% expr %}` is an expression; objects and arrays are walked; anything else is a literal.
 *
 * Every failure is `States.QueryEvaluationError`, as AWS documents it ("a JSONata type error, an
 * incorrectly typed result, or an undefined result"): an expression that throws, one that returns
 * nothing (AWS fails the state rather than dropping the key), and one whose result has the wrong
 * type for its field. The cause names the expression and the field the way AWS words it, and
 * never the value (state data may carry what it should not).
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
import { compiled } from '../core/jsonata';
import { StateError } from './errors';
import { simpleForm } from './simple-forms';

const EXPR = /^\{%([\s\S]*)%\}$/;

export const QUERY_EVALUATION_ERROR = 'States.QueryEvaluationError';

/** The bindings of one evaluation: `$states` plus the workflow variables. */
export interface Scope {
  states: Record<string, unknown>;
  vars: Record<string, unknown>;
  /** The engine clock's time: $now() and $millis() read it, not the wall clock. */
  nowMs: number;
}

/** Field strings read before: their expression, or null for a literal (a machine's fields are read at every visit). */
const expressions = new Map<string, string | null>();

/** The expression text of a field value, if it is one. */
export function expressionOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let expr = expressions.get(value);
  if (expr === undefined) {
    const m = EXPR.exec(value.trim());
    expr = m ? m[1].trim() : null;
    if (expressions.size >= MAX_CACHED) expressions.clear();
    expressions.set(value, expr);
  }
  return expr ?? undefined;
}

const MAX_CACHED = 10_000;

/**
 * Evaluate a field value (template) in a scope. `field` is where it sits in the state, as AWS
 * names it in a cause: `Arguments/Payload/token`, `Output`, `Choices[0]/Condition`.
 */
export async function evalField(value: unknown, scope: Scope, field: string): Promise<unknown> {
  const expr = expressionOf(value);
  if (expr !== undefined) {
    const fast = direct(expr, scope, field);
    return fast !== NEEDS_JSONATA ? fast : viaJsonata(expr, scope, field);
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const v = member(value[i], scope, field, i);
      out.push(v instanceof Promise ? await v : v);
    }
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k in value) {
      const v = member((value as Record<string, unknown>)[k], scope, field, k);
      out[k] = v instanceof Promise ? await v : v;
    }
    return out;
  }
  return value;
}

/**
 * A member of an object or array field: a literal or a plain path is answered at once, without a
 * promise (a Payload has a dozen members, evaluated at every task), and its field name (`Payload/x`,
 * `Items[2]`) is put together only for what needs it. A promise only for what needs jsonata.
 */
function member(v: unknown, scope: Scope, parent: string, key: string | number): unknown {
  if (v !== null && typeof v === 'object') return evalField(v, scope, fieldOf(parent, key));
  const expr = expressionOf(v);
  if (expr === undefined) return v;
  const fast = direct(expr, scope, parent, key);
  return fast !== NEEDS_JSONATA ? fast : viaJsonata(expr, scope, fieldOf(parent, key));
}

function fieldOf(parent: string, key: string | number): string {
  return typeof key === 'number' ? `${parent}[${key}]` : `${parent}/${key}`;
}

/** What `direct` answers for an expression that only jsonata can evaluate. */
const NEEDS_JSONATA = Symbol('needs jsonata');

/** A plain path, a comparison of one with a literal or a compiler form (simple-forms.ts), answered without jsonata (NEEDS_JSONATA otherwise). */
function direct(expr: string, scope: Scope, field: string, key?: string | number): unknown {
  let fast = simplePath(expr, scope);
  if (!fast.known) fast = simpleEquality(expr, scope);
  if (!fast.known) fast = simpleForm(expr, scope);
  if (!fast.known) return NEEDS_JSONATA;
  if (fast.value === undefined)
    throw queryError(expr, key === undefined ? field : fieldOf(field, key), 'returned nothing (undefined).');
  return fast.value;
}

/** The bindings jsonata sees in a scope, built once per scope (a state evaluates several fields in one). */
const bindings = new WeakMap<Scope, Record<string, unknown>>();

function bindingsOf(scope: Scope): Record<string, unknown> {
  let b = bindings.get(scope);
  if (!b) {
    b = {
      ...scope.vars,
      states: scope.states,
      millis: () => scope.nowMs,
      now: () => new Date(scope.nowMs).toISOString(),
    };
    bindings.set(scope, b);
  }
  return b;
}

async function viaJsonata(expr: string, scope: Scope, field: string): Promise<unknown> {
  let result: unknown;
  try {
    result = await compiled(expr).evaluate(undefined, bindingsOf(scope));
  } catch (err) {
    throw queryError(expr, field, `threw an error during evaluation: ${(err as Error).message}`, err);
  }
  if (result === undefined) throw queryError(expr, field, 'returned nothing (undefined).');
  return normalize(result);
}

/**
 * Evaluate a field whose result must have one JSON type (a Condition is a boolean, Seconds a
 * number, a Map's Items an array...). A literal of the wrong type is the definition's fault:
 * States.Runtime, as AWS would have refused it at CreateStateMachine.
 */
export async function evalTyped(
  value: unknown,
  scope: Scope,
  field: string,
  expected: 'boolean' | 'number' | 'string' | 'array' | 'object',
): Promise<unknown> {
  const result = await evalField(value, scope, field);
  const found = jsonType(result);
  if (found === expected) return result;
  const expr = expressionOf(value);
  if (expr === undefined) {
    const an = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
    throw new StateError('States.Runtime', `the field '${field}' must be ${an(expected)}, found ${an(found)}`);
  }
  throw queryError(expr, field, `returned an unexpected result type. Expected '${expected}', but was '${found}'.`);
}

/** Evaluate an Assign block: every value from the same (old) variables, then assigned together. */
export async function evalAssign(assign: unknown, scope: Scope, field = 'Assign'): Promise<Record<string, unknown>> {
  if (!assign) return scope.vars;
  const values = await evalField(assign, scope, field);
  if (jsonType(values) !== 'object') throw queryError(expressionOf(assign) ?? '', field, 'must evaluate to an object.');
  return { ...scope.vars, ...(values as Record<string, unknown>) };
}

/** A States.QueryEvaluationError whose cause opens with AWS's sentence naming the expression and the field. */
export function queryError(expr: string, field: string, what: string, cause?: unknown): StateError {
  return new StateError(
    QUERY_EVALUATION_ERROR,
    `The JSONata expression '${expr}' specified for the field '${field}' ${what}`,
    cause === undefined ? undefined : { cause },
  );
}

/** The JSON type of a value, as AWS names it in a cause. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

const PATH = /^\$([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)$/;
const paths = new Map<string, string[] | null>();

/**
 * Most fields are a variable or a path into one (`$customerId`, `$states.context.Task.Token`):
 * read such a path directly instead of through jsonata, where that gives what jsonata gives —
 * through plain objects to a value that is not an array (jsonata maps over arrays and flattens
 * sequences: those go to jsonata). `known` is false when the expression is not such a path.
 */
export function simplePath(expr: string, scope: Scope): { known: boolean; value?: unknown } {
  let steps = paths.get(expr);
  if (steps === undefined) {
    const m = PATH.exec(expr);
    steps = m && !['now', 'millis'].includes(m[1]) ? [m[1], ...m[2].split('.').slice(1)] : null;
    paths.set(expr, steps);
  }
  // A name the scope does not bind may be one of jsonata's own ($string, $now...): jsonata knows.
  if (!steps || (steps[0] !== 'states' && !Object.hasOwn(scope.vars, steps[0]))) return { known: false };
  let v: unknown = steps[0] === 'states' ? scope.states : scope.vars[steps[0]];
  for (let i = 1; i < steps.length; i++) {
    if (v === undefined) return { known: true, value: undefined };
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      return typeof v === 'object' ? { known: false } : { known: true, value: undefined };
    v = (v as Record<string, unknown>)[steps[i]];
  }
  return Array.isArray(v) || typeof v === 'function' ? { known: false } : { known: true, value: v };
}

/** `path = literal` or `path != literal`, parsed; null for any other expression. */
const equalities = new Map<
  string,
  { path: string; equal: boolean; literal: string | number | boolean | null } | null
>();
const EQUALITY =
  /^(\$[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(!?=)\s*('[^'\\]*'|"[^"\\]*"|-?(?:0|[1-9]\d*)(?:\.\d+)?|true|false|null)$/;

/**
 * Most Choice conditions compare a path with a literal (`$states.input.outcome = 'deferred'`):
 * answer those directly where that gives what jsonata gives — a path that reads a value that is
 * not an object or array (jsonata compares those deeply) or reads nothing (then `=` and `!=` are
 * both false, as jsonata says). `known` is false for anything else, which goes to jsonata.
 */
export function simpleEquality(expr: string, scope: Scope): { known: boolean; value?: unknown } {
  let parsed = equalities.get(expr);
  if (parsed === undefined) {
    const m = EQUALITY.exec(expr);
    parsed = m ? { path: m[1], equal: m[2] === '=', literal: literalOf(m[3]) } : null;
    if (equalities.size >= MAX_CACHED) equalities.clear();
    equalities.set(expr, parsed);
  }
  if (!parsed) return { known: false };
  const left = simplePath(parsed.path, scope);
  if (!left.known || (left.value !== null && typeof left.value === 'object')) return { known: false };
  if (left.value === undefined) return { known: true, value: false };
  return { known: true, value: (left.value === parsed.literal) === parsed.equal };
}

function literalOf(text: string): string | number | boolean | null {
  if (text.startsWith("'") || text.startsWith('"')) return text.slice(1, -1);
  return JSON.parse(text) as number | boolean | null;
}

/** JSONata results can carry array sequences and functions; keep plain JSON only. */
function normalize(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v) ?? 'null');
}
