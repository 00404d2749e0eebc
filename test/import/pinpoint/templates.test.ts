/**
 * Templates (SPEC §8): exported Pinpoint templates become Liquid over the Baton profile; without
 * them, stubs name the Pinpoint template and version to port. A stub, or a part that could not be
 * converted, fails `baton validate` at its file and line until it is ported.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTemplate, render } from '../../../lib/core/templates';
import { runPinpointImport } from '../../../lib/import/pinpoint/files';
import { handlebarsToLiquid } from '../../../lib/import/pinpoint/handlebars';
import { loadJourneyFile } from '../../../lib/journey/load';
import { FIXTURES } from './helpers';

describe('Handlebars to Liquid', () => {
  it.each([
    ['{{User.UserAttributes.FirstName}}', '{{ profile.attributes.firstName }}'],
    ['{{User.UserAttributes.FirstName.[0]}}', '{{ profile.attributes.firstName }}'],
    ['{{Attributes.favorite_colors.[1]}}', '{{ profile.attributes.favorite_colors[1] }}'],
    ['{{{Attributes.Coupon}}}', '{{ profile.attributes.coupon }}'],
    ['{{Metrics.points}}', '{{ profile.attributes.points }}'],
    ['{{User.UserId}}', '{{ profile.customerId }}'],
    ['{{Demographic.Timezone}} {{Demographic.Locale}}', '{{ profile.timezone }} {{ profile.locale }}'],
    ['{{~ Attributes.x ~}}', '{{ profile.attributes.x }}'],
    ['{{upper User.UserAttributes.LastName.[0]}}', '{{ profile.attributes.lastName | upcase }}'],
    ['{{lower Attributes.city}}', '{{ profile.attributes.city | downcase }}'],
    ['{{!-- a note --}}hi', '{% comment %} a note {% endcomment %}hi'],
    [
      '{{#if Attributes.vip}}VIP{{else}}friend{{/if}}',
      '{% if profile.attributes.vip != blank %}VIP{% else %}friend{% endif %}',
    ],
    ['{{#unless Attributes.vip}}join{{/unless}}', '{% unless profile.attributes.vip != blank %}join{% endunless %}'],
    [
      '{{#each User.UserAttributes.Colors}}{{@index}}:{{this}} {{else}}none{{/each}}',
      '{% for item in profile.attributes.colors %}{{ forloop.index0 }}:{{ item }} {% else %}none{% endfor %}',
    ],
    ['{{#eq Attributes.tier "gold"}}G{{/eq}}', '{% if profile.attributes.tier == "gold" %}G{% endif %}'],
    ['{{#gte Metrics.age 18}}adult{{/gte}}', '{% if profile.attributes.age >= 18 %}adult{% endif %}'],
    [
      '{{#and (eq Attributes.city "LA") (neq Attributes.plan "free")}}x{{/and}}',
      '{% if profile.attributes.city == "LA" and profile.attributes.plan != "free" %}x{% endif %}',
    ],
    [
      '{{#not (eq Attributes.city "LA")}}elsewhere{{/not}}',
      '{% unless profile.attributes.city == "LA" %}elsewhere{% endunless %}',
    ],
  ])('%s', (handlebars, liquid) => {
    const c = handlebarsToLiquid(handlebars, 'email');
    expect(c.problems).toEqual([]);
    expect(c.text).toBe(liquid);
    expect(checkTemplate(c.text)).toMatchObject({ ok: true });
  });

  it('Address is the address of the channel', () => {
    expect(handlebarsToLiquid('{{Address}}', 'email').text).toBe('{{ profile.email }}');
    expect(handlebarsToLiquid('{{Address}}', 'sms').text).toBe('{{ profile.phone }}');
  });

  it('default substitutions become Liquid defaults', () => {
    const c = handlebarsToLiquid('Hi {{User.UserAttributes.FirstName}}', 'sms', {
      'User.UserAttributes.FirstName': 'there',
    });
    expect(c.text).toBe('Hi {{ profile.attributes.firstName | default: "there" }}');
  });

  it('renders as Pinpoint would have, for a customer with and without the attribute', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-liquid-'));
    const c = handlebarsToLiquid(
      'Hi {{User.UserAttributes.FirstName}}{{#if Attributes.Coupon}}, use {{Attributes.Coupon}}{{/if}}.',
      'sms',
      { 'User.UserAttributes.FirstName': 'there' },
    );
    writeFileSync(join(dir, 't.sms.liquid'), c.text);
    const data = (attributes: Record<string, unknown>) => ({
      profile: { attributes },
      context: {},
      trigger: {},
      journey: {},
    });
    expect((await render(dir, 't', 'sms', data({ firstName: 'Ana', coupon: 'SPRING' }))).body).toBe(
      'Hi Ana, use SPRING.',
    );
    expect((await render(dir, 't', 'sms', data({ coupon: '' }))).body).toBe('Hi there.');
  });

  it('what has no Liquid equivalent is left as a line validation refuses, with the original beside it, and reported with its line', () => {
    const c = handlebarsToLiquid(
      'Hello\n{{capitalize Attributes.name}} from {{Location.City}}\n{{#each Items}}{{/each}}',
      'email',
    );
    expect(c.problems).toEqual([
      {
        line: 2,
        message: expect.stringContaining(
          '{{capitalize Attributes.name}}: the helper capitalize has no Liquid equivalent',
        ),
      },
      { line: 2, message: expect.stringContaining('Location.City has no place in a Baton profile') },
      // The block is reported once; its closing tag is left unported with it.
      { line: 3, message: expect.stringContaining('Items has no place in a Baton profile') },
    ]);
    expect(c.text).toContain(
      '{{ pinpoint_unported.line_2 }}{% comment %}Pinpoint: {{capitalize Attributes.name}}{% endcomment %}',
    );
    const checked = checkTemplate(c.text);
    expect(checked.ok && checked.reads.map((r) => r.path.join('.'))).toEqual([
      'pinpoint_unported.line_2',
      'pinpoint_unported.line_2',
      'pinpoint_unported.line_3',
      'pinpoint_unported.line_3',
    ]);
  });

  it('Liquid delimiters in the text stay text', () => {
    expect(handlebarsToLiquid('50% {% off %}', 'sms').text).toBe('{% raw %}50% {% off %}{% endraw %}');
  });
});

describe('template files', () => {
  it('without exported templates: stubs that name the template and version, which validation refuses at their file', () => {
    const out = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
    const run = runPinpointImport({ files: [join(FIXTURES, 'welcome-series.json')], out });
    expect(run.exitCode).toBe(3);
    const stub = readFileSync(join(out, 'templates', 'welcome-v2.email.liquid'), 'utf8');
    expect(stub).toContain('Port Pinpoint email template "Welcome" version 2 here.');
    expect(stub).toContain('aws pinpoint get-email-template --template-name Welcome --version 2');
    expect(run.result.report).toContainEqual(
      expect.objectContaining({
        level: 'todo',
        pointer: '/JourneyResponse/Activities/SendWelcome/EMAIL/TemplateName',
        message: expect.stringContaining('wrote the stub templates/welcome-v2.email.liquid'),
      }),
    );
    const loaded = loadJourneyFile(join(out, 'welcome-series.json'), { checkTemplate });
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.problems.map((p) => [p.pointer, p.code])).toEqual([
      ['/steps/sendwelcome/template', 'template-variable'],
      ['/steps/sendtips/template', 'template-variable'],
      ['/steps/nudgepush/template', 'template-variable'],
    ]);

    // Passing the exports later replaces the stubs (and only them) with the converted templates.
    const again = runPinpointImport({
      files: [join(FIXTURES, 'welcome-series.json')],
      templates: join(FIXTURES, 'templates'),
      out,
    });
    expect(again.errors).toEqual([]);
    expect(again.exitCode).toBe(0);
    expect(loadJourneyFile(join(out, 'welcome-series.json'), { checkTemplate }).ok).toBe(true);
  });

  it('a journey written beside the JSON Schema of journeys points to it, as the bundled ones do', () => {
    const out = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
    writeFileSync(join(out, 'journey.schema.json'), '{}');
    runPinpointImport({ files: [join(FIXTURES, 'welcome-series.json')], out });
    expect(JSON.parse(readFileSync(join(out, 'welcome-series.json'), 'utf8')).$schema).toBe('./journey.schema.json');
  });

  it('an edited template is kept unless --force', () => {
    const out = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
    const args = { files: [join(FIXTURES, 'welcome-series.json')], templates: join(FIXTURES, 'templates'), out };
    runPinpointImport(args);
    const file = join(out, 'templates', 'tips.sms.liquid');
    writeFileSync(file, 'Edited by hand, {{ profile.attributes.firstName }}');
    const kept = runPinpointImport(args);
    expect(kept.lines).toContain(`${file}: kept (it differs from the import; --force replaces it)`);
    expect(readFileSync(file, 'utf8')).toBe('Edited by hand, {{ profile.attributes.firstName }}');
    runPinpointImport({ ...args, force: true });
    expect(readFileSync(file, 'utf8')).toContain('three tips');
  });

  it('email: the text part is the body, the subject its first line; the HTML part is kept aside', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
    const tpl = join(dir, 'welcome.json');
    writeFileSync(
      tpl,
      JSON.stringify({
        EmailTemplateResponse: {
          TemplateName: 'Welcome',
          TemplateType: 'EMAIL',
          Version: '2',
          Subject: 'Hi {{User.UserAttributes.FirstName}}',
          TextPart: 'Text {{Address}}',
          HtmlPart: '<p>Html</p>',
        },
      }),
    );
    const run = runPinpointImport({ files: [join(FIXTURES, 'welcome-series.json'), tpl], out: dir });
    expect(readFileSync(join(dir, 'templates', 'welcome-v2.email.liquid'), 'utf8')).toBe(
      'Subject: Hi {{ profile.attributes.firstName }}\nText {{ profile.email }}\n',
    );
    expect(readFileSync(join(dir, 'templates', 'welcome-v2.email.pinpoint.html'), 'utf8')).toBe('<p>Html</p>');
    expect(run.result.report).toContainEqual(
      expect.objectContaining({ level: 'todo', file: tpl, pointer: '/EmailTemplateResponse/HtmlPart' }),
    );
  });
});
