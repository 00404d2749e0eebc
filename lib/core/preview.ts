/**
 * Preview (SPEC §4 `baton preview`, and the console's preview panel): every send step's templates
 * rendered for one customer, each channel the step may use, exactly as a send renders them
 * (templates.ts), with the variables that came out empty listed by file and line instead of
 * being silently blank. A variable is flagged when it is printed (`{{ ... }}`) without a
 * `default` filter and reads nothing (absent, null or empty text); one only tested (`{% if %}`)
 * is not, since being absent is what the test is for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { valueToJsonata, variableScope } from '../journey/expressions';
import type { Journey, ValueExpr } from '../journey/schema';
import { channelsOf } from '../journey/steps';
import { evaluate } from './jsonata';
import type { Profile } from './profile';
import { checkTemplate, type Rendered, render, type TemplateRead } from './templates';

/** A printed variable that rendered empty. */
export interface MissingVariable {
  /** Its path as written, e.g. profile.attributes.firstName. */
  variable: string;
  /** The template file, as `baton validate` names it: templates/<template>.<channel>.liquid. */
  file: string;
  line: number;
  column: number;
}

/** One message of a send step on one channel, as the customer would get it. */
export interface PreviewMessage {
  step: string;
  channel: string;
  template: string;
  file: string;
  /** Absent when the template could not be read or rendered: `error` says why. */
  rendered?: Rendered;
  missing: MissingVariable[];
  error?: string;
}

/** What the templates are rendered with besides the profile: the trigger event, when one is given. */
export interface PreviewInput {
  journey: Journey;
  templatesDir: string;
  profile: Profile;
  /** The trigger as templates see it (an envelope without customerId); a stand-in of the trigger's type when absent. */
  trigger?: Record<string, unknown>;
  /** Only this send step. */
  step?: string;
}

/** A step asked for that is not one of the journey's send steps. */
export class PreviewStepError extends Error {
  override readonly name = 'PreviewStepError';
}

/** The journey's send steps (or the one asked for), each rendered on each channel it may use. */
export async function previewSends(input: PreviewInput): Promise<PreviewMessage[]> {
  const { journey, templatesDir, profile } = input;
  const sends = Object.entries(journey.steps).flatMap(([id, s]) => (s.type === 'send' ? [[id, s] as const] : []));
  if (input.step !== undefined && !sends.some(([id]) => id === input.step)) {
    const names = sends.map(([id]) => id).join(', ') || '(none)';
    throw new PreviewStepError(
      `step must be a send step of ${journey.id}: ${names}; found ${JSON.stringify(input.step)}`,
    );
  }
  const trigger = input.trigger ?? { type: journey.trigger?.event ?? 'audience.run', data: {} };
  const context = await instanceContext(journey, trigger);
  const data = { profile, context, trigger, journey: { id: journey.id, name: journey.name, version: journey.version } };
  const out: PreviewMessage[] = [];
  for (const [step, s] of sends) {
    if (input.step !== undefined && step !== input.step) continue;
    for (const channel of channelsOf(s)) {
      const file = `templates/${s.template}.${channel}.liquid`;
      const base = { step, channel, template: s.template, file };
      let text: string;
      try {
        text = readFileSync(join(templatesDir, `${s.template}.${channel}.liquid`), 'utf8');
      } catch {
        out.push({ ...base, missing: [], error: `no template ${file}` });
        continue;
      }
      try {
        const rendered = await render(templatesDir, s.template, channel, data);
        out.push({ ...base, rendered, missing: missingVariables(text, file, data) });
      } catch (err) {
        out.push({ ...base, missing: [], error: (err as Error).message });
      }
    }
  }
  return out;
}

/** The instance context an entry on this trigger would have; an expression that cannot be evaluated is left out. */
async function instanceContext(journey: Journey, trigger: unknown): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(journey.context ?? {}) as [string, ValueExpr][]) {
    try {
      out[k] = await evaluate(valueToJsonata(v, variableScope), { trigger });
    } catch {
      // Left undefined: a template printing it is then flagged as missing, which is the point.
    }
  }
  return out;
}

/** The printed variables of a template that read nothing in `data`, in the order they appear. */
export function missingVariables(text: string, file: string, data: Record<string, unknown>): MissingVariable[] {
  const checked = checkTemplate(text);
  if (!checked.ok) return [];
  return checked.reads
    .filter((r) => isEmpty(valueAt(data, r.path)) && printedWithoutDefault(text, r))
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map((r) => ({ variable: r.path.join('.'), file, line: r.line, column: r.column }));
}

function valueAt(data: unknown, path: string[]): unknown {
  let v = data;
  for (const segment of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[segment];
  }
  return v;
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

/** Whether the read sits in an output tag `{{ ... }}` that has no `default` filter. */
function printedWithoutDefault(text: string, r: TemplateRead): boolean {
  const lines = text.split('\n');
  const at = lines.slice(0, r.line - 1).reduce((n, l) => n + l.length + 1, 0) + r.column - 1;
  const output = text.lastIndexOf('{{', at);
  if (output < 0 || text.lastIndexOf('{%', at) > output) return false;
  const end = text.indexOf('}}', at);
  return !/\|\s*default\b/.test(text.slice(output, end < 0 ? undefined : end));
}
