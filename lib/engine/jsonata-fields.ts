/**
 * JSONata fields of ASL states as Step Functions evaluates them: a string that is exactly
 * `{% expr %}` is an expression; objects and arrays are walked; anything else is a literal.
 */
import { compiled } from '../core/jsonata';
import { StateError } from './errors';

const EXPR = /^\{%([\s\S]*)%\}$/;

/** The bindings of one evaluation: `$states` plus the workflow variables. */
export interface Scope {
  states: Record<string, unknown>;
  vars: Record<string, unknown>;
  /** The engine clock's time: $now() and $millis() read it, not the wall clock. */
  nowMs: number;
}

/** Evaluate a field value (template) in a scope. */
export async function evalField(value: unknown, scope: Scope): Promise<unknown> {
  if (typeof value === 'string') {
    const m = EXPR.exec(value.trim());
    if (!m) return value;
    try {
      const result = await compiled(m[1].trim()).evaluate(undefined, {
        ...scope.vars,
        states: scope.states,
        millis: () => scope.nowMs,
        now: () => new Date(scope.nowMs).toISOString(),
      });
      return normalize(result);
    } catch (err) {
      throw new StateError('States.QueryEvaluationError', `${(err as Error).message} in ${value}`);
    }
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => evalField(v, scope)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = await evalField(v, scope);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return value;
}

/** Evaluate an Assign block: every value from the same (old) variables, then assigned together. */
export async function evalAssign(assign: unknown, scope: Scope): Promise<Record<string, unknown>> {
  if (!assign) return scope.vars;
  const values = (await evalField(assign, scope)) as Record<string, unknown>;
  return { ...scope.vars, ...values };
}

/** JSONata results can carry array sequences and functions; keep plain JSON only. */
function normalize(v: unknown): unknown {
  if (v === undefined) return undefined;
  return JSON.parse(JSON.stringify(v));
}
