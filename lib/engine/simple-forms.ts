/**
 * Three forms the journey compiler writes at nearly every step, answered without jsonata where
 * that gives jsonata's own answer (each a few microseconds instead of an evaluation through
 * jsonata's interpreter; test/engine/simple-forms.test.ts holds them to jsonata):
 * - a value that may be missing, as null: `($v := <path or literal>; $exists($v) ? $v : null)`
 *   (lib/journey/expressions.ts valueOrNullJsonata);
 * - the pure steps passed: `$passed = null ? '|' : $passed & "<step>|"` (compile-visits.ts);
 * - a key joined from paths and string literals: `$states.context.State.Name & "#" & ...`.
 * Anything else, or data these do not cover (an array, a number to turn into text), goes to jsonata.
 */
import { type Scope, simplePath } from './jsonata-fields';

type Operand = { path: string } | { text: string };

type Form =
  | { kind: 'valueOrNull'; operand: Operand | { literal: number | boolean | null } }
  | { kind: 'passed'; name: string; empty: string; suffix: string }
  | { kind: 'join'; operands: Operand[] };

const VALUE_OR_NULL = /^\(\$v := (.+); \$exists\(\$v\) \? \$v : null\)$/;
const PASSED = /^\$([A-Za-z_]\w*) = null \? '([^'\\]*)' : \$\1 & "([^"\\]*)"$/;
const PATH = /^\$[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;
const TEXT = /^(?:"([^"\\]*)"|'([^'\\]*)')$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

const forms = new Map<string, Form | null>();
const MAX_CACHED = 10_000;

/** `known` with jsonata's answer for a compiler form; `known: false` for anything else. */
export function simpleForm(expr: string, scope: Scope): { known: boolean; value?: unknown } {
  let form = forms.get(expr);
  if (form === undefined) {
    form = parse(expr);
    if (forms.size >= MAX_CACHED) forms.clear();
    forms.set(expr, form);
  }
  if (!form) return { known: false };
  switch (form.kind) {
    case 'valueOrNull': {
      const o = form.operand;
      if ('literal' in o) return { known: true, value: o.literal };
      if ('text' in o) return { known: true, value: o.text };
      const v = simplePath(o.path, scope);
      // A path to nothing is null; to an object, that object (jsonata's $exists holds for it).
      return v.known ? { known: true, value: v.value === undefined ? null : v.value } : v;
    }
    case 'passed': {
      if (!Object.hasOwn(scope.vars, form.name)) return { known: false };
      const v = scope.vars[form.name];
      if (v === null) return { known: true, value: form.empty };
      return typeof v === 'string' ? { known: true, value: v + form.suffix } : { known: false };
    }
    case 'join': {
      let out = '';
      for (const o of form.operands) {
        if ('text' in o) {
          out += o.text;
          continue;
        }
        const v = simplePath(o.path, scope);
        // jsonata's & turns a missing operand into '' and anything else into text: only strings here.
        if (!v.known || (v.value !== undefined && typeof v.value !== 'string')) return { known: false };
        out += v.value ?? '';
      }
      return { known: true, value: out };
    }
  }
}

function parse(expr: string): Form | null {
  const passed = PASSED.exec(expr);
  if (passed) return { kind: 'passed', name: passed[1], empty: passed[2], suffix: passed[3] };
  const valueOrNull = VALUE_OR_NULL.exec(expr);
  if (valueOrNull) {
    const inner = valueOrNull[1];
    if (inner === 'true' || inner === 'false' || inner === 'null')
      return { kind: 'valueOrNull', operand: { literal: JSON.parse(inner) as boolean | null } };
    if (NUMBER.test(inner)) return { kind: 'valueOrNull', operand: { literal: Number(inner) } };
    const operand = operandOf(inner);
    return operand ? { kind: 'valueOrNull', operand } : null;
  }
  if (!expr.includes('&')) return null;
  const operands: Operand[] = [];
  for (const part of splitJoin(expr)) {
    const operand = operandOf(part);
    if (!operand) return null;
    operands.push(operand);
  }
  return operands.length > 1 && operands.some((o) => 'path' in o) ? { kind: 'join', operands } : null;
}

/** A plain path (not $now or $millis, which are functions) or a string literal without escapes. */
function operandOf(text: string): Operand | undefined {
  if (PATH.test(text)) return /^\$(now|millis)\b/.test(text) ? undefined : { path: text };
  const m = TEXT.exec(text);
  return m ? { text: m[1] ?? m[2] } : undefined;
}

/** The operands of `a & b & ...`, split outside quotes; spaces around each operand dropped. */
function splitJoin(expr: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '&') {
      parts.push(expr.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expr.slice(start).trim());
  return parts;
}
