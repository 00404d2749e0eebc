/**
 * The templates the imported send steps use (`templates/<name>.<channel>.liquid`): converted from
 * the exported Pinpoint template when it was passed, else a stub that names the Pinpoint template
 * and version to port. A stub, and any part of a template that could not be converted, reads
 * `pinpoint_unported`, which `baton validate` refuses: a journey cannot go live with a stub.
 */
import type { Channel } from '../../journey/schema';
import { assertNever, show } from '../../journey/schema';
import type { TemplateUse } from './activities';
import { handlebarsToLiquid, UNPORTED_ROOT } from './handlebars';
import { templateName } from './naming';
import type { SourceTemplate } from './read';
import { Report } from './report';

/** A file to write, relative to the output folder. */
export interface OutputFile {
  path: string;
  text: string;
}

interface Entry {
  name: string;
  channel: Channel;
  pinpointName?: string;
  version?: string;
  /** Where the first step that uses it names it. */
  report: Report;
  at: string;
}

const CLI = { email: 'get-email-template', sms: 'get-sms-template', push: 'get-push-template' } as const;

/** Baton names for the Pinpoint templates of one import, and the files they become. */
export class TemplateRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly byPinpoint = new Map<string, string>();

  /** The Baton template a send step uses: the same Pinpoint template and version always get the same name. */
  name(use: TemplateUse, journeyId: string, report: Report): string {
    const key = `${use.channel}|${use.pinpointName ?? `${journeyId}/${use.step}`}|${use.version ?? ''}`;
    const known = this.byPinpoint.get(key);
    if (known) return known;
    const base = use.pinpointName
      ? `${templateName(use.pinpointName)}${use.version ? `-v${templateName(use.version)}` : ''}`
      : `${journeyId}-${use.step}`;
    let name = base;
    for (let n = 2; this.entries.has(`${name}.${use.channel}`); n++) name = `${base}-${n}`;
    this.byPinpoint.set(key, name);
    this.entries.set(`${name}.${use.channel}`, {
      name,
      channel: use.channel,
      pinpointName: use.pinpointName,
      version: use.version,
      report,
      at: use.at,
    });
    return name;
  }

  /** The template files: converted where an exported template was passed, stubs elsewhere; with their report. */
  files(sources: SourceTemplate[]): { files: OutputFile[]; reports: Report[] } {
    const files: OutputFile[] = [];
    const reports: Report[] = [];
    const used = new Set<SourceTemplate>();
    for (const e of this.entries.values()) {
      const path = `templates/${e.name}.${e.channel}.liquid`;
      const source = e.pinpointName === undefined ? undefined : match(sources, e);
      if (!source) {
        files.push({ path, text: stub(e) });
        e.report.todo(
          e.at,
          e.pinpointName === undefined
            ? `wrote the stub ${path}: write the message there`
            : `wrote the stub ${path}: port Pinpoint ${e.channel} template ${show(e.pinpointName)}${e.version ? ` version ${e.version}` : ' (its active version)'} there, or pass its export (aws pinpoint ${CLI[e.channel]}) to convert it`,
        );
        continue;
      }
      used.add(source);
      const report = new Report(source);
      reports.push(report);
      if (e.version !== undefined && source.template.Version !== undefined && source.template.Version !== e.version)
        report.todo(
          '/Version',
          `the journey uses version ${e.version} of ${show(e.pinpointName)}; this export is version ${source.template.Version}: converted it anyway, check the text`,
        );
      files.push(...convert(source, e, path, report));
    }
    for (const s of sources) {
      if (used.has(s)) continue;
      const report = new Report(s);
      report.note(
        '',
        `template ${show(s.template.TemplateName)} (${s.channel}) is used by no imported journey: not written`,
      );
      reports.push(report);
    }
    return { files, reports };
  }
}

function match(sources: SourceTemplate[], e: Entry): SourceTemplate | undefined {
  const same = sources.filter((s) => s.channel === e.channel && s.template.TemplateName === e.pinpointName);
  const candidates = same.length
    ? same
    : sources.filter(
        (s) => s.channel === e.channel && s.template.TemplateName.toLowerCase() === e.pinpointName?.toLowerCase(),
      );
  return candidates.find((s) => e.version === undefined || s.template.Version === e.version) ?? candidates[0];
}

function stub(e: Entry): string {
  const what = e.pinpointName
    ? `Pinpoint ${e.channel} template "${e.pinpointName}"${e.version ? ` version ${e.version}` : ' (its active version)'}`
    : 'the message this step sends (its Pinpoint activity named no template)';
  const how = e.pinpointName
    ? `Export it with\n  aws pinpoint ${CLI[e.channel]} --template-name ${e.pinpointName}${e.version ? ` --version ${e.version}` : ''} > ${e.pinpointName}.${e.channel}.json\nand run baton import pinpoint again with that file beside the journey, or write it by hand`
    : 'Write it by hand';
  const subject = e.channel === 'email' ? 'Subject: ' : '';
  return `{% comment %}
Port ${what} here.
${how} in Liquid over the profile, e.g. {{ profile.attributes.firstName }}${e.channel === 'email' ? ',\nwith the subject on the first line: Subject: ...' : ''}.
baton validate refuses this file until the line below that reads ${UNPORTED_ROOT} is gone.
{% endcomment %}
${subject}{{ ${UNPORTED_ROOT}.template }}
`;
}

function defaultsOf(source: SourceTemplate, report: Report): Record<string, string> {
  const text = source.template.DefaultSubstitutions;
  if (text === undefined) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  } catch {
    // Reported below.
  }
  report.todo(
    '/DefaultSubstitutions',
    `DefaultSubstitutions is not a JSON object of defaults, found ${show(text)}: no defaults written`,
  );
  return {};
}

function convert(source: SourceTemplate, e: Entry, path: string, report: Report): OutputFile[] {
  const defaults = defaultsOf(source, report);
  const part = (field: string, text: string) => {
    const c = handlebarsToLiquid(text, e.channel, defaults);
    for (const p of c.problems)
      report.todo(`/${field}`, `line ${p.line}: ${p.message}; ${path} reads ${UNPORTED_ROOT} there until it is ported`);
    const renamed = [...c.renamed].filter(([from, to]) => from !== to);
    if (renamed.length)
      report.note(
        `/${field}`,
        `reads ${renamed.map(([from, to]) => `${from} as profile.attributes.${to}`).join(', ')} (import profiles with those names)`,
      );
    return c.text;
  };
  if (source.template.RecommenderId !== undefined)
    report.todo(
      '/RecommenderId',
      'Baton has no recommender models: recommended attributes must be written to the profile by you',
    );
  switch (source.channel) {
    case 'email': {
      const t = source.template;
      const files: OutputFile[] = [];
      let subject = t.Subject === undefined ? undefined : part('Subject', t.Subject.replace(/\s*\n\s*/g, ' '));
      if (subject === undefined) {
        report.todo(
          '',
          `the template has no Subject; SES needs one: ${path} reads ${UNPORTED_ROOT} on its subject line until you write it`,
        );
        subject = `{{ ${UNPORTED_ROOT}.subject }}`;
      }
      let body: string;
      if (t.TextPart !== undefined) {
        body = part('TextPart', t.TextPart);
        if (t.HtmlPart !== undefined) {
          const html = `templates/${e.name}.email.pinpoint.html`;
          files.push({ path: html, text: t.HtmlPart });
          report.todo(
            '/HtmlPart',
            `Baton sends email as plain text (the TextPart); the HTML part is kept, unconverted, in ${html} for reference`,
          );
        }
      } else if (t.HtmlPart !== undefined) {
        body = part('HtmlPart', t.HtmlPart);
        report.todo(
          '/HtmlPart',
          `Baton sends email as plain text and the template has only an HTML part: ${path} sends that HTML as text; write a text version`,
        );
      } else {
        report.todo(
          '',
          `the template has no body (TextPart or HtmlPart): ${path} reads ${UNPORTED_ROOT} until you write it`,
        );
        body = `{{ ${UNPORTED_ROOT}.body }}`;
      }
      if (t.Headers?.length) report.todo('/Headers', 'Baton email carries no custom headers: these are not imported');
      files.unshift({ path, text: `Subject: ${subject}\n${body}\n` });
      return files;
    }
    case 'sms': {
      const body = source.template.Body;
      if (body === undefined)
        report.todo('/Body', `the template has no Body: ${path} reads ${UNPORTED_ROOT} until you write it`);
      return [{ path, text: `${body === undefined ? `{{ ${UNPORTED_ROOT}.body }}` : part('Body', body)}\n` }];
    }
    case 'push': {
      const t = source.template;
      const platforms = (['Default', 'GCM', 'APNS', 'ADM', 'Baidu'] as const).filter((k) => t[k] !== undefined);
      const chosen = platforms.find((k) => t[k]?.Body !== undefined);
      if (!chosen) {
        report.todo('', `the template has no Body: ${path} reads ${UNPORTED_ROOT} until you write it`);
        return [{ path, text: `{{ ${UNPORTED_ROOT}.body }}\n` }];
      }
      const text = part(`${chosen}/Body`, t[chosen]!.Body!);
      const dropped = platforms.flatMap((k) =>
        Object.keys(t[k] ?? {})
          .filter((f) => !(k === chosen && f === 'Body'))
          .map((f) => `${k}.${f}`),
      );
      if (dropped.length)
        report.todo(
          `/${chosen}`,
          `Baton sends the push body text only (from ${chosen}.Body); ${dropped.join(', ')} ${dropped.length === 1 ? 'is' : 'are'} not imported`,
        );
      return [{ path, text: `${text}\n` }];
    }
    default:
      return assertNever(source);
  }
}
