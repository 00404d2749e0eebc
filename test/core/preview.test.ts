/**
 * Which variables a preview flags: printed (`{{ }}`) without a `default` filter and reading
 * nothing (absent, null, empty text). One only tested (`{% if %}`) is not flagged, nor one with a
 * value, even 0 or false.
 */
import { missingVariables, PreviewStepError, previewSends } from '../../lib/core/preview';
import { journeyOf } from '../results/run';

const FILE = 'templates/t.email.liquid';
const data = {
  profile: { customerId: 'c-1', attributes: { firstName: 'Ana', visits: 0, vip: false, note: '', nick: null } },
  context: {},
  trigger: { data: {} },
};

describe('missingVariables', () => {
  it('flags printed variables that read nothing, with line and column, in the order they appear', () => {
    const text = [
      'Hi {{ profile.attributes.firstName }} ({{ profile.attributes.nick }})',
      'Note: {{profile.attributes.note}} and {{ trigger.data.cartId | upcase }}',
      '{{ context.offer }}',
    ].join('\n');
    expect(missingVariables(text, FILE, data)).toEqual([
      { variable: 'profile.attributes.nick', file: FILE, line: 1, column: 43 },
      { variable: 'profile.attributes.note', file: FILE, line: 2, column: 9 },
      { variable: 'trigger.data.cartId', file: FILE, line: 2, column: 42 },
      { variable: 'context.offer', file: FILE, line: 3, column: 4 },
    ]);
  });

  it('does not flag a default, a test, or a value that prints (0, false)', () => {
    const text = [
      '{{ profile.attributes.nick | default: "friend" }}',
      '{% if profile.attributes.missing %}{{ profile.attributes.firstName }}{% endif %}',
      '{{ profile.attributes.visits }} {{ profile.attributes.vip }}',
      '{%- unless trigger.data.cartId -%}no cart{%- endunless -%}',
    ].join('\n');
    expect(missingVariables(text, FILE, data)).toEqual([]);
  });
});

describe('previewSends', () => {
  const welcome = journeyOf({
    id: 'welcome',
    trigger: { event: 'account.created' },
    context: { plan: 'trigger.data.plan' },
    start: 'hello',
    steps: {
      hello: { type: 'send', channel: 'email', fallback: ['sms'], template: 't', next: 'done' },
      done: { type: 'end' },
    },
  });

  it('renders each channel the step may use, with the context evaluated on the trigger', async () => {
    const messages = await previewSends({
      journey: welcome.journey,
      templatesDir: welcome.templatesDir,
      profile: { customerId: 'c-1' },
      trigger: { type: 'account.created', data: { plan: 'pro' } },
    });
    expect(messages.map((m) => [m.step, m.channel, m.file, m.rendered, m.missing])).toEqual([
      ['hello', 'email', 'templates/t.email.liquid', { subject: 'Hi', body: 'Hello' }, []],
      ['hello', 'sms', 'templates/t.sms.liquid', { body: 'Hello' }, []],
    ]);
  });

  it('refuses a step that is not a send step, naming the ones there are', async () => {
    const preview = previewSends({
      journey: welcome.journey,
      templatesDir: welcome.templatesDir,
      profile: { customerId: 'c-1' },
      step: 'done',
    });
    await expect(preview).rejects.toThrow(PreviewStepError);
    await expect(preview).rejects.toThrow('step must be a send step of welcome: hello; found "done"');
  });
});
