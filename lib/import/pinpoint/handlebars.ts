/**
 * Pinpoint message templates are Handlebars over the endpoint (`{{User.UserAttributes.FirstName}}`,
 * `{{Attributes.x}}`, `{{Address}}`); Baton's are Liquid over the profile (SPEC §3). This turns
 * one into the other: message variables, their default substitutions, `#if`/`#unless`/`#each`,
 * the comparison blocks (`#eq`, `#gt`..., `#and`, `#or`, `#not`) and `upper`/`lower`. What it
 * cannot turn is left as a line that `baton validate` refuses (`pinpoint_unported`), with the
 * original beside it in a comment, and reported with its line, so nothing reaches a customer
 * half-converted.
 */
import type { Channel } from '../../journey/schema';
import { profileAttribute } from './naming';

export interface ConversionProblem {
  line: number;
  message: string;
}

export interface Converted {
  text: string;
  problems: ConversionProblem[];
  /** Pinpoint attributes read, and the profile attribute each became (for the report). */
  renamed: Map<string, string>;
}

/** A part of a template that has no Liquid equivalent; caught, reported and left unported. */
class UnportableError extends Error {
  override readonly name = 'Baton.UnportableTemplate';
}

/** The variable an unported part reads: no data provides it, so validation names the file and line. */
export const UNPORTED_ROOT = 'pinpoint_unported';

type Arg =
  | { kind: 'path'; text: string }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'sub'; helper: string; args: Arg[] }
  | { kind: 'hash'; key: string };

interface Block {
  name: string;
  /** The Liquid that closes it; undefined for a block left unported. */
  close?: string;
  loopVar?: string;
}

const COMPARE: Record<string, string> = { eq: '==', neq: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const FILTERS: Record<string, string> = { upper: 'upcase', lower: 'downcase' };

/** Convert a Handlebars template to Liquid for a channel; `defaults` are its DefaultSubstitutions. */
export function handlebarsToLiquid(source: string, channel: Channel, defaults: Record<string, string> = {}): Converted {
  const problems: ConversionProblem[] = [];
  const renamed = new Map<string, string>();
  const stack: Block[] = [];
  let out = '';
  let pos = 0;
  const lineAt = (i: number) => source.slice(0, i).split('\n').length;

  const text = (t: string) => {
    // Liquid would read these as its own delimiters.
    out += t.includes('{%') || t.includes('{{') ? `{% raw %}${t}{% endraw %}` : t;
  };

  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open < 0) {
      text(source.slice(pos));
      break;
    }
    if (open > 0 && source[open - 1] === '\\') {
      // \{{ is a literal {{ in Handlebars.
      text(source.slice(pos, open - 1));
      text('{{');
      pos = open + 2;
      continue;
    }
    text(source.slice(pos, open));
    const triple = source.startsWith('{{{', open);
    const isComment = source.startsWith('{{!', open);
    const closer = isComment && source.startsWith('{{!--', open) ? '--}}' : triple ? '}}}' : '}}';
    const end = source.indexOf(closer, open + 2);
    const line = lineAt(open);
    if (end < 0) {
      problems.push({ line, message: 'a {{ is never closed' });
      out += unported(line, source.slice(open));
      break;
    }
    const raw = source.slice(open, end + closer.length);
    pos = end + closer.length;
    if (isComment) {
      const body = raw.replace(/^\{\{!(--)?/, '').replace(/(--)?\}\}$/, '');
      out += `{% comment %}${body}{% endcomment %}`;
      continue;
    }
    const inner = raw
      .slice(triple ? 3 : 2, raw.length - (triple ? 3 : 2))
      .replace(/^~|~$/g, '')
      .trim();
    const fail = (message: string) => {
      problems.push({ line, message: `${raw}: ${message}` });
      out += unported(line, raw);
    };
    const scope = { stack, channel, defaults, renamed };
    try {
      if (inner === 'else' || inner === '^') {
        const top = stack[stack.length - 1];
        if (!top) fail('{{else}} outside a block');
        else out += top.close ? '{% else %}' : unported(line, raw);
        continue;
      }
      if (inner.startsWith('/')) {
        const name = inner.slice(1).trim();
        const top = stack.pop();
        if (!top || top.name !== name) {
          if (top) stack.push(top);
          fail(`closes ${name}, which is not the open block`);
        } else out += top.close ?? unported(line, raw);
        continue;
      }
      if (inner.startsWith('#')) {
        const [helper, ...args] = parseArgs(inner.slice(1));
        const name = helper?.kind === 'path' ? helper.text : '';
        let opened: ReturnType<typeof openBlock>;
        try {
          opened = openBlock(name, args, scope);
        } catch (err) {
          if (!(err instanceof UnportableError)) throw err;
          opened = { why: err.message };
        }
        if ('why' in opened) {
          stack.push({ name });
          fail(opened.why);
        } else {
          stack.push(opened.block);
          out += opened.liquid;
        }
        continue;
      }
      const parts = parseArgs(inner);
      const [head, ...args] = parts;
      if (head?.kind === 'path' && args.length === 0) {
        out += `{{ ${variable(head.text, scope)}${defaultOf(head.text, defaults)} }}`;
        continue;
      }
      if (head?.kind === 'path' && head.text in FILTERS && args.length === 1) {
        const arg = args[0];
        out += `{{ ${value(arg, scope)}${arg.kind === 'path' ? defaultOf(arg.text, defaults) : ''} | ${FILTERS[head.text]} }}`;
        continue;
      }
      fail(`the helper ${head?.kind === 'path' ? head.text : inner} has no Liquid equivalent here`);
    } catch (err) {
      if (!(err instanceof UnportableError)) throw err;
      fail(err.message);
    }
  }
  for (const b of stack) problems.push({ line: lineAt(source.length), message: `{{#${b.name}}} is never closed` });
  return { text: out, problems, renamed };
}

interface Scope {
  stack: Block[];
  channel: Channel;
  defaults: Record<string, string>;
  renamed: Map<string, string>;
}

function unported(line: number, raw: string): string {
  return `{{ ${UNPORTED_ROOT}.line_${line} }}{% comment %}Pinpoint: ${raw.replace(/\{%|%\}/g, '')}{% endcomment %}`;
}

function defaultOf(path: string, defaults: Record<string, string>): string {
  const d = defaults[path] ?? defaults[path.replace(/\.\[0\]$/, '')];
  return d === undefined ? '' : ` | default: ${JSON.stringify(d)}`;
}

function openBlock(name: string, args: Arg[], scope: Scope): { block: Block; liquid: string } | { why: string } {
  switch (name) {
    case 'if':
    case 'unless':
      if (args.length !== 1) return { why: `#${name} takes one value` };
      return { block: { name, close: `{% end${name} %}` }, liquid: `{% ${name} ${condition(args[0], scope)} %}` };
    case 'each': {
      if (args.length !== 1 || args[0].kind !== 'path') return { why: '#each takes one list' };
      const depth = scope.stack.filter((b) => b.loopVar).length;
      const loopVar = depth ? `item${depth + 1}` : 'item';
      return {
        block: { name, close: '{% endfor %}', loopVar },
        liquid: `{% for ${loopVar} in ${variable(args[0].text, scope, true)} %}`,
      };
    }
    case 'and':
    case 'or':
      if (args.length < 2) return { why: `#${name} takes two values or more` };
      return {
        block: { name, close: '{% endif %}' },
        liquid: `{% if ${args.map((a) => condition(a, scope)).join(` ${name} `)} %}`,
      };
    case 'not':
      if (args.length !== 1) return { why: '#not takes one value' };
      return { block: { name, close: '{% endunless %}' }, liquid: `{% unless ${condition(args[0], scope)} %}` };
    default:
      if (name in COMPARE) {
        if (args.length !== 2) return { why: `#${name} compares two values` };
        return { block: { name, close: '{% endif %}' }, liquid: `{% if ${comparison(name, args, scope)} %}` };
      }
      return { why: `the block helper #${name || '?'} has no Liquid equivalent here` };
  }
}

/** A value as a Liquid condition, true where Handlebars would be. */
function condition(arg: Arg, scope: Scope): string {
  if (arg.kind === 'sub') {
    if (arg.helper in COMPARE && arg.args.length === 2) return comparison(arg.helper, arg.args, scope);
    throw new UnportableError(`(${arg.helper} ...) has no Liquid equivalent inside a condition`);
  }
  // Handlebars treats "" and [] as false; Liquid only nil and false, unless compared with blank.
  return `${value(arg, scope)} != blank`;
}

function comparison(helper: string, args: Arg[], scope: Scope): string {
  return `${value(args[0], scope)} ${COMPARE[helper]} ${value(args[1], scope)}`;
}

function value(arg: Arg, scope: Scope): string {
  switch (arg.kind) {
    case 'path':
      return variable(arg.text, scope);
    case 'literal':
      return typeof arg.value === 'string' ? JSON.stringify(arg.value) : String(arg.value);
    default:
      throw new UnportableError(
        `${arg.kind === 'sub' ? `(${arg.helper} ...)` : `${arg.key}=`} has no Liquid equivalent here`,
      );
  }
}

/** Where a Pinpoint message variable lives in Baton's template data. */
function variable(path: string, scope: Scope, list = false): string {
  let p = path.replace(/^(\.\.\/)+/, '');
  let index = '';
  const indexed = /\.\[(\d+)\]$/.exec(p);
  if (indexed) {
    p = p.slice(0, indexed.index);
    // Pinpoint attributes are lists; a Baton profile attribute is the value itself, so [0] is the value.
    if (indexed[1] !== '0') index = `[${indexed[1]}]`;
  }
  const loop = [...scope.stack].reverse().find((b) => b.loopVar)?.loopVar;
  if (p === 'this' || p === '.') {
    if (!loop) throw new UnportableError('this outside an #each');
    return loop + index;
  }
  if (p.startsWith('this.') && loop) return `${loop}.${p.slice(5)}${index}`;
  if (p === '@index') return 'forloop.index0';
  if (p === '@first') return 'forloop.first';
  if (p === '@last') return 'forloop.last';
  const [root, second, third] = p.split('.');
  const attribute = (name: string | undefined) => {
    if (!name) throw new UnportableError(`${path} names no attribute`);
    const attr = profileAttribute(name);
    scope.renamed.set(name, attr);
    return `profile.attributes.${attr}${index}`;
  };
  if (root === 'User' && second === 'UserAttributes') return attribute(third);
  if (root === 'User' && second === 'UserId') return 'profile.customerId';
  if (root === 'Attributes' || root === 'Metrics') return attribute(second);
  if (root === 'Address' && !second) {
    if (list) throw new UnportableError('Address is not a list');
    return { email: 'profile.email', sms: 'profile.phone', push: 'profile.pushEndpoint' }[scope.channel];
  }
  if (root === 'Demographic' && second === 'Timezone') return 'profile.timezone';
  if (root === 'Demographic' && second === 'Locale') return 'profile.locale';
  throw new UnportableError(
    `${path} has no place in a Baton profile (it has customerId, email, phone, timezone, locale, consent and attributes); keep it as a profile attribute and read profile.attributes.<name>`,
  );
}

/** The words of a mustache: paths, literals, (subexpressions) and hash arguments. */
function parseArgs(text: string): Arg[] {
  const args: Arg[] = [];
  let i = 0;
  const readOne = (): Arg => {
    while (text[i] === ' ' || text[i] === '\n' || text[i] === '\t') i++;
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new UnportableError('a string is never closed');
      const value = text.slice(i + 1, end);
      i = end + 1;
      return { kind: 'literal', value };
    }
    if (c === '(') {
      i++;
      const inner: Arg[] = [];
      for (;;) {
        while (text[i] === ' ') i++;
        if (i >= text.length) throw new UnportableError('a ( is never closed');
        if (text[i] === ')') {
          i++;
          break;
        }
        inner.push(readOne());
      }
      const [helper, ...rest] = inner;
      if (helper?.kind !== 'path') throw new UnportableError('a subexpression starts with a helper name');
      return { kind: 'sub', helper: helper.text, args: rest };
    }
    const m = /^[^\s()]+/.exec(text.slice(i));
    if (!m) throw new UnportableError(`cannot read ${JSON.stringify(text.slice(i))}`);
    i += m[0].length;
    const word = m[0];
    const eq = word.indexOf('=');
    if (eq > 0) {
      // key=value: skip the value, which may be a string with spaces.
      const rest = word.slice(eq + 1);
      if ((rest.startsWith('"') || rest.startsWith("'")) && !(rest.length > 1 && rest.endsWith(rest[0]))) {
        const end = text.indexOf(rest[0], i);
        i = end < 0 ? text.length : end + 1;
      }
      return { kind: 'hash', key: word.slice(0, eq) };
    }
    if (/^-?\d+(\.\d+)?$/.test(word)) return { kind: 'literal', value: Number(word) };
    if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true' };
    return { kind: 'path', text: word };
  };
  for (;;) {
    while (text[i] === ' ' || text[i] === '\n' || text[i] === '\t') i++;
    if (i >= text.length) break;
    args.push(readOne());
  }
  return args;
}
