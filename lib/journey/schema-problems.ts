/**
 * A document that failed the journey schema: zod's issues as problems that name the value found
 * and what is allowed (a misspelt operator gets the list, and the nearest one), and what can
 * still be read of the document for the checks that do not need it whole.
 */
import type { z } from 'zod';
import { journeySchema, OPERATORS, type Step, show, stepSchema } from './schema';
import type { Problem } from './validate';

/** JSON pointer (RFC 6901) for a path of keys. */
export function pointerOf(path: readonly PropertyKey[]): string {
  return path.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = doc;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

export function schemaProblems(issue: z.core.$ZodIssue, doc: unknown): Problem[] {
  const found = valueAt(doc, issue.path);
  if (issue.code === 'unrecognized_keys') {
    if (isComparison(found)) return issue.keys.map((key) => unknownOperator(issue.path, key));
    const allowed = allowedKeys(issue.path, doc);
    return issue.keys.map((key) => ({
      pointer: pointerOf([...issue.path, key]),
      code: 'unknown-field',
      message: `unknown field ${show(key)}${allowed ? `; allowed here: ${allowed.join(', ')}` : ''}`,
    }));
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue) {
    return [
      {
        pointer: pointerOf(issue.path),
        code: 'unknown-step-type',
        message: `unknown step type ${show(found)}; expected one of ${(issue as { options?: unknown[] }).options?.map((o) => show(o)).join(', ')}`,
      },
    ];
  }
  if (found === undefined && issue.code === 'invalid_type') {
    return [
      {
        pointer: pointerOf(issue.path),
        code: 'missing-field',
        message: `required field is missing (${issue.message})`,
      },
    ];
  }
  const message = issue.message.includes('found') ? issue.message : `${issue.message}; found ${show(found)}`;
  return [{ pointer: pointerOf(issue.path), code: 'schema', message }];
}

/** A condition's comparison: an object with a path (its operator may be misspelt). */
function isComparison(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { path?: unknown }).path === 'string';
}

function unknownOperator(path: readonly PropertyKey[], key: string): Problem {
  const near = nearest(key, OPERATORS);
  return {
    pointer: pointerOf([...path, key]),
    code: 'unknown-field',
    message: `unknown operator ${show(key)}${near ? ` (did you mean ${show(near)}?)` : ''}; a comparison is {"path": ..., <operator>: value} with one of ${OPERATORS.join(', ')}`,
  };
}

/** The nearest of some words, when it is close: for "did you mean" on a misspelt key. */
export function nearest(word: string, among: readonly string[]): string | undefined {
  let best: { w: string; d: number } | undefined;
  for (const w of among) {
    const d = editDistance(word.toLowerCase(), w.toLowerCase());
    if (d <= Math.max(2, Math.floor(w.length / 4)) && (!best || d < best.d)) best = { w, d };
  }
  return best?.w;
}

/** Levenshtein distance, for "did you mean" on short words. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

function allowedKeys(path: readonly PropertyKey[], doc: unknown): string[] | undefined {
  if (path.length === 0) return Object.keys(journeySchema.shape);
  if (path.length === 2 && path[0] === 'steps') {
    const type = valueAt(doc, [...path, 'type']);
    const option = stepSchema.options.find((o) => o.shape.type.value === type);
    return option ? Object.keys(option.shape) : undefined;
  }
  return undefined;
}

export function looseSteps(doc: unknown): Record<string, Step> {
  const steps = valueAt(doc, ['steps']);
  if (!steps || typeof steps !== 'object' || Array.isArray(steps)) return {};
  const out: Record<string, Step> = {};
  for (const [id, step] of Object.entries(steps)) {
    if (step && typeof step === 'object' && typeof (step as { type?: unknown }).type === 'string')
      out[id] = step as Step;
  }
  return out;
}

export function looseStart(doc: unknown): string | undefined {
  const start = valueAt(doc, ['start']);
  return typeof start === 'string' ? start : undefined;
}

/** Escalation gotos of a document that failed the schema, as far as they can be read. */
export function looseGotos(doc: unknown): string[] {
  const rules = valueAt(doc, ['escalation']);
  if (!Array.isArray(rules)) return [];
  return rules.flatMap((r) => {
    const goto = valueAt(r, ['goto']);
    return typeof goto === 'string' ? [goto] : [];
  });
}
