/** Validation returns every problem at once, each with the pointer of the culprit and an actionable message. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelopeSchema } from '../../lib/core/envelope';
import { profileSchema } from '../../lib/core/profile';
import { checkTemplate } from '../../lib/core/templates';
import { loadJourneyFile } from '../../lib/journey/load';
import { PROFILE_FIELDS, TRIGGER_FIELDS } from '../../lib/journey/template-problems';
import { type ValidationEnv, validateJourney } from '../../lib/journey/validate';
import { journeyInTempDir, simpleJourney } from '../helpers';

const allTemplates = { templateExists: () => true };
const noTemplates = { templateExists: () => false };

function problemsOf(doc: unknown, env: ValidationEnv = allTemplates) {
  const r = validateJourney(doc, env);
  return r.ok ? [] : r.problems;
}

describe('validateJourney', () => {
  it('accepts a valid journey and returns it typed', () => {
    const r = validateJourney(simpleJourney(), allTemplates);
    expect(r.ok).toBe(true);
    expect(r.ok && r.journey.steps.hello.type).toBe('send');
  });

  it('names a dangling next and the unreachable step it leaves behind', () => {
    const doc = simpleJourney({
      steps: {
        hello: { type: 'send', channel: 'email', template: 'hello', next: 'gone' },
        done: { type: 'end' },
      },
    });
    const problems = problemsOf(doc);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          pointer: '/steps/hello/next',
          code: 'unknown-step',
          message: expect.stringContaining('"gone"'),
        }),
        expect.objectContaining({ pointer: '/steps/done', code: 'unreachable-step' }),
      ]),
    );
  });

  it('counts a step reached only through an escalation goto as reachable, and what only it leads to', () => {
    const doc = simpleJourney({
      escalation: [{ id: 'long', when: { touchpoints: 3 }, goto: 'callback' }],
      steps: {
        hello: { type: 'send', channel: 'email', template: 'hello', next: 'pause' },
        pause: { type: 'wait', for: 'P1D', next: 'done' },
        callback: { type: 'handoff', to: 'phone', carry: [], next: 'after-call' },
        'after-call': { type: 'end' },
        orphan: { type: 'end' },
        done: { type: 'end' },
      },
    });
    expect(problemsOf(doc)).toEqual([
      {
        pointer: '/steps/orphan',
        code: 'unreachable-step',
        message: 'step "orphan" is unreachable: no path from start "hello" or an escalation goto leads to it',
      },
    ]);
  });

  it('reports schema problems with the value found and what is allowed, all at once', () => {
    const doc = simpleJourney({
      id: 'Bad Id',
      version: 0,
      extra: true,
      steps: {
        hello: { type: 'sned', next: 'done' },
        done: { type: 'wait', for: 'one hour', next: 'hello' },
      },
    });
    const problems = problemsOf(doc);
    const byPointer = Object.fromEntries(problems.map((p) => [p.pointer, p.message]));
    expect(byPointer['/id']).toContain('"Bad Id"');
    expect(byPointer['/version']).toContain('found 0');
    expect(byPointer['/extra']).toMatch(/unknown field "extra"; allowed here: .*steps/);
    expect(byPointer['/steps/hello/type']).toMatch(/unknown step type "sned"; expected one of .*"send"/);
    expect(byPointer['/steps/done/for']).toMatch(/ISO 8601 duration.*"one hour"/);
  });

  it("names an update step's attribute names a profile refuses, __proto__ included (a parsed record drops it)", () => {
    const doc = JSON.parse(
      JSON.stringify(
        simpleJourney({
          start: 'u',
          steps: {
            u: { type: 'update', set: { PROTO: "'x'", constructor: "'y'", 'a b': "'z'", ok: "'w'" }, next: 'done' },
            done: { type: 'end' },
          },
        }),
      ).replace('"PROTO"', '"__proto__"'),
    );
    const byPointer = Object.fromEntries(problemsOf(doc).map((p) => [p.pointer, p.message]));
    expect(byPointer).toEqual({
      '/steps/u/set/__proto__': 'attribute names __proto__ and constructor are reserved, found "__proto__"',
      '/steps/u/set/constructor': 'attribute names __proto__ and constructor are reserved, found "constructor"',
      '/steps/u/set/a b':
        'expected an attribute name (a letter or _, then up to 63 letters, digits, _ or -), found "a b"',
    });
  });

  it('rejects a loop with no wait in it, and accepts one with a wait', () => {
    const loop = simpleJourney({
      start: 'a',
      settings: { maxDuration: 'P90D' },
      steps: {
        a: { type: 'branch', cases: [{ if: { path: 'trigger.data.x', eq: 1 }, next: 'b' }], default: 'done' },
        b: { type: 'send', channel: 'email', template: 'hello', next: 'a' },
        done: { type: 'end' },
      },
    });
    expect(problemsOf(loop)).toEqual([
      expect.objectContaining({ code: 'loop-without-wait', pointer: '/steps/b/next' }),
    ]);
    const waited = simpleJourney({
      start: 'a',
      settings: { maxDuration: 'P90D' },
      steps: {
        a: { type: 'branch', cases: [{ if: { path: 'trigger.data.x', eq: 1 }, next: 'b' }], default: 'done' },
        b: { type: 'wait', for: 'PT1H', next: 'a' },
        done: { type: 'end' },
      },
    });
    expect(problemsOf(waited)).toEqual([]);
  });

  it('names the missing template file for the channel a send uses', () => {
    expect(problemsOf(simpleJourney(), noTemplates)).toEqual([
      expect.objectContaining({
        pointer: '/steps/hello/template',
        message: expect.stringContaining('templates/hello.email.liquid'),
      }),
    ]);
  });

  it('rejects paths with unknown roots, undefined context keys and events of non-waitFor steps', () => {
    const doc = simpleJourney({
      trigger: { event: 'x.happened', where: { path: 'trigger.data.value', gte: 1 }, dedupeBy: ['customer.id'] },
      context: { cartId: 'trigger.data.cartId' },
      start: 'b',
      steps: {
        b: {
          type: 'branch',
          cases: [
            { if: { path: 'context.orderId', eq: 'x' }, next: 'done' },
            { if: { path: 'events.b.data.x', exists: true }, next: 'done' },
            { if: { path: 'messages.b.status', eq: 'opened' }, next: 'done' },
            { if: { path: 'trigger.data.x', eq: 1, ne: 2 }, next: 'done' },
          ],
          default: 'done',
        },
        done: { type: 'end' },
      },
    });
    const byPointer = Object.fromEntries(problemsOf(doc).map((p) => [p.pointer, p.message]));
    expect(byPointer['/trigger/dedupeBy/0']).toMatch(/unknown root "customer"/);
    expect(byPointer['/steps/b/cases/0/if/path']).toMatch(/context.orderId.*defined: cartId/);
    expect(byPointer['/steps/b/cases/1/if/path']).toMatch(/must name a waitFor step/);
    expect(byPointer['/steps/b/cases/2/if/path']).toMatch(/must name a send step/);
    expect(byPointer['/steps/b/cases/3/if']).toMatch(/exactly one operator, found eq, ne/);
  });

  it('rejects a journey whose longest path waits more than a year', () => {
    const doc = simpleJourney({
      start: 'w1',
      steps: {
        w1: { type: 'wait', for: 'P200D', next: 'w2' },
        w2: { type: 'waitFor', event: 'y.done', timeout: 'P200D', next: 'done', onTimeout: 'done' },
        done: { type: 'end' },
      },
    });
    expect(problemsOf(doc)).toEqual([
      expect.objectContaining({ code: 'too-long', message: expect.stringContaining('400 days') }),
    ]);
  });

  it('rejects an unknown time zone in settings', () => {
    const doc = simpleJourney({ settings: { timezone: 'Mars/Olympus' } });
    expect(problemsOf(doc)).toEqual([expect.objectContaining({ pointer: '/settings/timezone' })]);
  });

  it('takes a session timeout of whole seconds from PT1S to P1D, naming the value found otherwise', () => {
    for (const sessionTimeout of ['PT30M', 'PT1S', 'P1D', 'PT90S']) {
      expect(problemsOf(simpleJourney({ settings: { sessionTimeout } }))).toEqual([]);
    }
    for (const [sessionTimeout, seconds] of [
      ['PT0S', '0'],
      ['P2D', '172800'],
    ]) {
      expect(problemsOf(simpleJourney({ settings: { sessionTimeout } }))).toEqual([
        {
          pointer: '/settings/sessionTimeout',
          code: 'bad-session-timeout',
          message: `sessionTimeout must be whole seconds from PT1S to P1D, such as "PT30M", found "${sessionTimeout}" (${seconds} s)`,
        },
      ]);
    }
    // A fraction of a second is refused as every duration is: Step Functions counts whole seconds.
    expect(problemsOf(simpleJourney({ settings: { sessionTimeout: 'PT1.5S' } }))).toEqual([
      expect.objectContaining({ pointer: '/settings/sessionTimeout', message: expect.stringContaining('"PT1.5S"') }),
    ]);
    expect(problemsOf(simpleJourney({ settings: { sessionTimeout: '30 minutes' } }))).toEqual([
      expect.objectContaining({
        pointer: '/settings/sessionTimeout',
        message: expect.stringContaining('"30 minutes"'),
      }),
    ]);
  });

  it('never throws on arbitrary input', () => {
    for (const doc of [
      null,
      1,
      'x',
      [],
      {},
      { steps: 5 },
      { steps: { a: null } },
      { start: 3, steps: { a: { type: 'wait' } } },
    ]) {
      const r = validateJourney(doc, allTemplates);
      expect(r.ok).toBe(false);
    }
  });

  it('requires the journey zone when quiet hours or local times are used, so no customer is ever without one', () => {
    const doc = simpleJourney({ settings: { quietHours: { start: '21:00', end: '08:00' } } });
    expect(problemsOf(doc)).toEqual([expect.objectContaining({ pointer: '/settings', code: 'missing-timezone' })]);
    expect(
      problemsOf(
        simpleJourney({ settings: { timezone: 'Europe/Paris', quietHours: { start: '21:00', end: '08:00' } } }),
      ),
    ).toEqual([]);
  });

  describe('templates', () => {
    /** Validate with these template texts (by file name); others are missing. */
    const withTemplates = (texts: Record<string, string>): ValidationEnv => ({
      templateExists: (t, c) => `${t}.${c}.liquid` in texts,
      checkTemplate: (t, c) => {
        const text = texts[`${t}.${c}.liquid`];
        return text === undefined ? undefined : checkTemplate(text);
      },
    });

    it('reports a Liquid syntax error with the file, line and column, as a validation problem', () => {
      const env = withTemplates({ 'hello.email.liquid': 'Subject: Hi\nHello\n{% if context.k %}no end' });
      expect(problemsOf(simpleJourney({ context: { k: 'trigger.data.k' } }), env)).toEqual([
        {
          pointer: '/steps/hello/template',
          code: 'template-syntax',
          message:
            'templates/hello.email.liquid line 3, column 1: Liquid syntax error: tag {% if context.k %} not closed',
        },
      ]);
    });

    it('reports an unknown filter: Baton renders with strict filters', () => {
      const env = withTemplates({ 'hello.email.liquid': 'Subject: Hi\n{{ trigger.id | shout }}' });
      expect(problemsOf(simpleJourney(), env)).toEqual([
        expect.objectContaining({
          code: 'template-syntax',
          message: 'templates/hello.email.liquid line 2, column 1: Liquid syntax error: undefined filter: shout',
        }),
      ]);
    });

    it('reports variables no data can ever provide, with file and line, and nothing that data can', () => {
      const text = [
        'Subject: Hi {{ profil.firstName }}',
        '{{ context.undeclared }} {{ context.cartId }}',
        '{{ profile.firstName }} {{ profile.attributes.firstName }} {{ profile.email }}',
        '{{ trigger.cartId }} {{ trigger.data.cartId }} {{ trigger.time }} {{ trigger.data[context.cartId] }}',
        '{{ journey.owner }} {{ journey.name }}',
        '{% assign first = profile.attributes.firstName %}{{ first }}{% for i in trigger.data.items %}{{ i.sku }}{{ forloop.index }}{% endfor %}',
      ].join('\n');
      const env = withTemplates({ 'hello.email.liquid': text });
      const doc = simpleJourney({ context: { cartId: 'trigger.data.cartId' } });
      expect(problemsOf(doc, env).map((p) => [p.pointer, p.code, p.message])).toEqual([
        [
          '/steps/hello/template',
          'template-variable',
          'templates/hello.email.liquid line 1: "profil.firstName" reads "profil", which templates cannot see; they see profile, context, trigger, journey',
        ],
        [
          '/steps/hello/template',
          'template-variable',
          'templates/hello.email.liquid line 2: "context.undeclared" reads context.undeclared, which the journey\'s context does not define; defined: cartId',
        ],
        [
          '/steps/hello/template',
          'template-variable',
          `templates/hello.email.liquid line 3: "profile.firstName": a profile has no field "firstName"; it has ${PROFILE_FIELDS.join(', ')} (the customer's own fields are under attributes: profile.attributes.firstName)`,
        ],
        [
          '/steps/hello/template',
          'template-variable',
          'templates/hello.email.liquid line 4: "trigger.cartId": the trigger event has no field "cartId"; it has id, type, channel, time, sessionId, data (its own fields are under data: trigger.data.cartId)',
        ],
        [
          '/steps/hello/template',
          'template-variable',
          'templates/hello.email.liquid line 5: "journey.owner": journey has no field "owner"; it has id, name, version',
        ],
      ]);
    });

    it('knows the fields profiles and trigger events have', () => {
      expect([...PROFILE_FIELDS].sort()).toEqual(Object.keys(profileSchema.shape).sort());
      expect([...TRIGGER_FIELDS].sort()).toEqual(
        Object.keys(envelopeSchema.shape)
          .filter((k) => k !== 'customerId')
          .sort(),
      );
    });

    it('are read from the templates folder when a journey file is loaded', () => {
      const { file } = journeyInTempDir(simpleJourney(), {
        'hello.email.liquid': 'Subject: Hi\n{{ profile.attributes.firstName | upcase }',
      });
      const r = loadJourneyFile(file, { checkTemplate });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.problems).toEqual([
        expect.objectContaining({
          pointer: '/steps/hello/template',
          message: expect.stringMatching(/^templates\/hello\.email\.liquid line 2, column \d+: Liquid syntax error: /),
        }),
      ]);
    });
  });

  it('refuses an email template with no subject line, and a folder where a template file should be', () => {
    const messages = (templates: Record<string, string>) => {
      const { file, dir } = journeyInTempDir(simpleJourney(), templates);
      return { dir, r: loadJourneyFile(file, { checkTemplate }) };
    };
    const none = messages({ 'hello.email.liquid': 'No subject line here\nThanks\n' }).r;
    expect(!none.ok && none.problems.map((p) => p.message)).toEqual([
      'templates/hello.email.liquid line 1, column 1: Liquid syntax error: an email template writes its subject first, on a line "Subject: ..."',
    ]);
    // Liquid may write the subject line, after a comment: the source holds it.
    const written = messages({
      'hello.email.liquid': '{% comment %}Subject: not this{% endcomment %}{% if true %}Subject: Hi{% endif %}\nThanks',
    }).r;
    expect(written.ok).toBe(true);
    const commented = messages({ 'hello.email.liquid': '{% comment %}\nSubject: only here\n{% endcomment %}Thanks' }).r;
    expect(commented.ok).toBe(false);
    const { file, dir } = journeyInTempDir(simpleJourney());
    mkdirSync(join(dir, 'templates', 'hello.email.liquid'));
    const folder = loadJourneyFile(file, { checkTemplate });
    expect(!folder.ok && folder.problems.map((p) => p.pointer)).toEqual(['/steps/hello/template']);
  });

  it('names a misspelt operator, the nearest one and all that are allowed', () => {
    const doc = simpleJourney({
      start: 'b',
      steps: {
        b: {
          type: 'branch',
          cases: [{ if: { any: [{ path: 'trigger.data.v', gtee: 3 }] }, next: 'done' }],
          default: 'done',
        },
        done: { type: 'end' },
      },
    });
    expect(problemsOf(doc)).toEqual([
      {
        pointer: '/steps/b/cases/0/if/any/0/gtee',
        code: 'unknown-field',
        message:
          'unknown operator "gtee" (did you mean "gte"?); a comparison is {"path": ..., <operator>: value} with one of eq, ne, gt, gte, lt, lte, in, exists, contains, startsWith',
      },
    ]);
  });

  describe('a file that is not JSON', () => {
    const problemsOfText = (text: string) => {
      const { file } = journeyInTempDir({});
      writeFileSync(file, text);
      const r = loadJourneyFile(file);
      return r.ok ? [] : r.problems;
    };

    it("says at which line and column it stops being JSON, in JSON.parse's words when it has a position", () => {
      expect(problemsOfText('{\n  "id": "x",\n  "name": "X"\n  "version": 1\n}')).toEqual([
        {
          pointer: '',
          code: 'bad-json',
          message: "not valid JSON at line 4, column 3: Expected ',' or '}' after property value",
        },
      ]);
    });

    it('finds the line and column itself when JSON.parse gives none', () => {
      expect(problemsOfText('{\n  "id": "x",\n  "steps": { "a": tru }\n}')[0].message).toBe(
        'not valid JSON at line 3, column 19: unexpected "t"',
      );
      expect(problemsOfText('{\n  "id": [1,\n')[0].message).toBe(
        'not valid JSON at line 3, column 1: the file ends before the JSON does',
      );
    });
  });
});
