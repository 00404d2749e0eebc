/** Liquid templates (SPEC §3): `<template>.<channel>.liquid`; email's first line is `Subject: ...`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Liquid, type Template } from 'liquidjs';

const liquid = new Liquid({ strictFilters: true, cache: false });
const parsed = new Map<string, Template[]>();

export class TemplateMissingError extends Error {
  override readonly name = 'Baton.TemplateMissing';
}

function load(dir: string, template: string, channel: string): Template[] {
  const file = join(dir, `${template}.${channel}.liquid`);
  let t = parsed.get(file);
  if (!t) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new TemplateMissingError(`no template ${template}.${channel}.liquid in ${dir}`, { cause: err });
    }
    t = liquid.parse(text);
    parsed.set(file, t);
  }
  return t;
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
  const text = String(await liquid.render(load(dir, template, channel), data)).trim();
  if (channel !== 'email') return { body: text };
  const m = /^Subject:[ \t]*(.*)\r?\n?/i.exec(text);
  return m ? { subject: m[1].trim(), body: text.slice(m[0].length).trim() } : { body: text };
}
