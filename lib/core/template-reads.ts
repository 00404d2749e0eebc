/**
 * The trigger paths a journey's templates read, found without Liquid (the ingest function, which
 * starts executions, does not bundle it): every `trigger` reference inside `{{ }}` and `{% %}`,
 * up to its last plain `.field`. Over-reading is safe (more of the trigger is kept), under-reading
 * is not, so anything unclear keeps more: a reference followed by `[...]` keeps what is before the
 * bracket whole, Liquid's `size`, `first` and `last` keep their collection whole, and a template
 * that includes another, or cannot be read, keeps the whole trigger.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Journey } from '../journey/schema';
import { channelsOf } from '../journey/steps';

const MARKUP = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
/** `trigger` as a variable (not `x.trigger`, `my_trigger` or `trigger-x`) and its dotted fields. */
const REFERENCE = /(?<![\w.-])trigger(?![\w-])((?:\.[\w-]+)*)/g;
const PARTIAL = /(?:^\{%-?|\n)\s*(?:include|render|layout)\b/;
const COMPUTED = new Set(['size', 'first', 'last']);

/** The trigger paths one template's text reads (each to be kept whole); undefined when unknown. */
export function templateTriggerPaths(text: string): string[][] | undefined {
  const paths: string[][] = [];
  for (const [markup] of text.matchAll(MARKUP)) {
    if (PARTIAL.test(markup)) return undefined;
    for (const m of markup.matchAll(REFERENCE)) {
      const fields = m[1] ? m[1].slice(1).split('.') : [];
      const cut = fields.findIndex((f) => COMPUTED.has(f));
      paths.push(cut < 0 ? fields : fields.slice(0, cut));
    }
  }
  return paths;
}

/** The trigger paths every template the journey's sends may use reads; undefined when any is unknown. */
export function journeyTemplateTriggerPaths(journey: Journey, templatesDir: string): string[][] | undefined {
  const paths: string[][] = [];
  const files = new Set<string>();
  for (const step of Object.values(journey.steps)) {
    if (step.type !== 'send') continue;
    for (const channel of channelsOf(step)) files.add(`${step.template}.${channel}.liquid`);
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(templatesDir, file), 'utf8');
    } catch {
      return undefined;
    }
    const found = templateTriggerPaths(text);
    if (!found) return undefined;
    paths.push(...found);
  }
  return paths;
}
