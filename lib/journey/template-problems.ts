/**
 * Templates at validation (SPEC §3): every template a send may use is parsed as it will be
 * rendered, so a syntax error is a validation problem naming the file and line, not a failed
 * instance; and a variable that no data can ever provide (`profil.firstName`,
 * `context.undeclared`, `profile.firstName` instead of `profile.attributes.firstName`) is reported
 * with its file and line.
 */
// Types only: the Lambdas load journeys without Liquid (their templates were checked at synth).
import type { TemplateCheck, TemplateRead } from '../core/templates';
import type { Journey } from './schema';
import { channelsOf } from './steps';

/** The data templates see (lib/core/send.ts renders with exactly these). */
export const TEMPLATE_ROOTS = ['profile', 'context', 'trigger', 'journey'] as const;
/** Fields of a profile (SPEC §2; profileSchema): anything of the customer's own is under `attributes`. */
export const PROFILE_FIELDS = [
  'customerId',
  'email',
  'phone',
  'pushEndpoint',
  'timezone',
  'locale',
  'preferredChannel',
  'consent',
  'attributes',
] as const;
/** Fields of the trigger: the entry event's envelope (SPEC §1) without customerId; its own data is under `data`. */
export const TRIGGER_FIELDS = ['id', 'type', 'channel', 'time', 'sessionId', 'data'] as const;
/** What templates see of the journey. */
export const JOURNEY_FIELDS = ['id', 'name', 'version'] as const;

export interface TemplateProblem {
  /** The send step whose template it is (the first one that uses the file). */
  step: string;
  code: 'template-syntax' | 'template-variable';
  message: string;
}

/** Problems of every template the journey's sends may use; `check` parses one, if it exists. */
export function templateProblems(
  journey: Journey,
  check: (template: string, channel: string) => TemplateCheck | undefined,
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const seen = new Set<string>();
  for (const [step, s] of Object.entries(journey.steps)) {
    if (s.type !== 'send') continue;
    for (const channel of channelsOf(s)) {
      const file = `templates/${s.template}.${channel}.liquid`;
      if (seen.has(file)) continue;
      seen.add(file);
      const checked = check(s.template, channel);
      // A missing template is reported by the send step's own check.
      if (checked === undefined) continue;
      if (!checked.ok) {
        const where = checked.line ? ` line ${checked.line}${checked.column ? `, column ${checked.column}` : ''}` : '';
        problems.push({
          step,
          code: 'template-syntax',
          message: `${file}${where}: Liquid syntax error: ${checked.message}`,
        });
        continue;
      }
      for (const r of checked.reads) {
        const why = unprovided(journey, r);
        if (why) problems.push({ step, code: 'template-variable', message: `${file} line ${r.line}: ${why}` });
      }
    }
  }
  return problems;
}

/** Why no data can ever provide this variable, or undefined when some can. */
function unprovided(journey: Journey, r: TemplateRead): string | undefined {
  const [root, field] = r.path;
  const name = r.path.join('.');
  if (!(TEMPLATE_ROOTS as readonly string[]).includes(root)) {
    return `${JSON.stringify(name)} reads ${JSON.stringify(root)}, which templates cannot see; they see ${TEMPLATE_ROOTS.join(', ')}`;
  }
  if (field === undefined) return undefined;
  const known = (fields: readonly string[], what: string, hint: string) =>
    fields.includes(field)
      ? undefined
      : `${JSON.stringify(name)}: ${what} has no field ${JSON.stringify(field)}; it has ${fields.join(', ')}${hint}`;
  switch (root) {
    case 'context': {
      const keys = Object.keys(journey.context ?? {});
      return keys.includes(field)
        ? undefined
        : `${JSON.stringify(name)} reads context.${field}, which the journey's context does not define; defined: ${keys.join(', ') || '(none)'}`;
    }
    case 'profile':
      return known(
        PROFILE_FIELDS,
        'a profile',
        ` (the customer's own fields are under attributes: profile.attributes.${field})`,
      );
    case 'trigger':
      return known(TRIGGER_FIELDS, 'the trigger event', ` (its own fields are under data: trigger.data.${field})`);
    case 'journey':
      return known(JOURNEY_FIELDS, 'journey', '');
    default:
      return undefined;
  }
}
