/** Liquid templates (SPEC §3): `<template>.<channel>.liquid`; email's first line is `Subject: ...`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Liquid, type Template } from 'liquidjs';

const liquid = new Liquid({ strictFilters: true, cache: false });
const parsed = new Map<string, Template[]>();

export class TemplateMissingError extends Error {
  override readonly name = 'Baton.TemplateMissing';
}

/**
 * A template that does not parse or render. The message names the file and line and quotes
 * Liquid's own words, never the data it was rendering: it is what a failed instance's timeline says.
 */
export class TemplateError extends Error {
  override readonly name = 'Baton.TemplateError';
}

/** Where Liquid says an error is, and its message without the position it appends. */
function liquidError(err: unknown): { line?: number; column?: number; message: string } {
  const e = err as { message?: unknown; token?: { getPosition?: () => [number, number] } };
  const text = String(e?.message ?? err);
  const m = /,? line:(\d+), col:(\d+)$/.exec(text);
  const position = e?.token?.getPosition?.();
  const [line, column] = m ? [Number(m[1]), Number(m[2])] : (position ?? []);
  return { line, column, message: m ? text.slice(0, m.index) : text };
}

/** `Liquid: <what> at line N of <file>`: a template error's message. */
function templateError(file: string, err: unknown): TemplateError {
  const { line, message } = liquidError(err);
  return new TemplateError(`Liquid: ${message}${line ? ` at line ${line}` : ''} of ${file}`, { cause: err });
}

function load(dir: string, template: string, channel: string): Template[] {
  const name = `${template}.${channel}.liquid`;
  const file = join(dir, name);
  let t = parsed.get(file);
  if (!t) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new TemplateMissingError(`no template ${name} in ${dir}`, { cause: err });
    }
    try {
      t = liquid.parse(text);
    } catch (err) {
      throw templateError(name, err);
    }
    parsed.set(file, t);
  }
  return t;
}

/**
 * A variable a template reads: its path up to the first segment known only when rendering
 * (`trigger.data[key]` reads `trigger.data`, and an index its collection).
 */
export interface TemplateRead {
  path: string[];
  line: number;
  column: number;
}

export type TemplateCheck =
  /** `reads`: every variable the template reads from its data (not its own assigns and loop variables). */
  { ok: true; reads: TemplateRead[] } | { ok: false; line?: number; column?: number; message: string };

/** Liquid comment blocks: what is in them is never rendered. */
const LIQUID_COMMENTS = /\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}/g;

/**
 * Parse a template as `render` will, and list what it reads; a syntax error says where. For the
 * `email` channel, its subject is required too: without a `Subject:` line the email went out with
 * none (Liquid may write that line, so the source need only say `Subject:`, outside a comment).
 */
export function checkTemplate(text: string, channel?: string): TemplateCheck {
  if (channel === 'email' && !/Subject:/i.test(text.replace(LIQUID_COMMENTS, '')))
    return {
      ok: false,
      line: 1,
      column: 1,
      message: 'an email template writes its subject first, on a line "Subject: ..."',
    };
  let templates: Template[];
  try {
    templates = liquid.parse(text);
  } catch (err) {
    return { ok: false, ...liquidError(err) };
  }
  const { globals } = liquid.analyzeSync(templates, { partials: false });
  const reads = Object.values(globals).flatMap((variables) =>
    variables.map((v) => {
      const cut = v.segments.findIndex((s) => typeof s !== 'string');
      const path = (cut < 0 ? v.segments : v.segments.slice(0, cut)) as string[];
      return { path, line: v.location.row, column: v.location.col };
    }),
  );
  return { ok: true, reads };
}

export interface Rendered {
  subject?: string;
  body: string;
}

/** Render a template for a channel with the data templates may see. */
export async function render(
  dir: string,
  template: string,
  channel: string,
  data: { profile: unknown; context: unknown; trigger: unknown; journey: unknown },
): Promise<Rendered> {
  let text: string;
  try {
    // Synchronously: no tag or filter of ours waits on anything, and the async form costs a promise per node.
    text = String(liquid.renderSync(load(dir, template, channel), data)).trim();
  } catch (err) {
    if (err instanceof TemplateMissingError || err instanceof TemplateError) throw err;
    throw templateError(`${template}.${channel}.liquid`, err);
  }
  if (channel !== 'email') return { body: text };
  const m = /^Subject:[ \t]*(.*)\r?\n?/i.exec(text);
  return m ? { subject: m[1].trim(), body: text.slice(m[0].length).trim() } : { body: text };
}
