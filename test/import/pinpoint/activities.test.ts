/**
 * Every Pinpoint activity type becomes its Baton step (SPEC §8), read from a journey that has all
 * of them (fixtures/every-activity.json) and from the API reference's schema sample; activity ids
 * become valid, unique step ids, with a map in the report.
 */
import { importPinpoint } from '../../../lib/import/pinpoint/import';
import { STEP_ID_PATTERN } from '../../../lib/journey/schema';
import { validateJourney } from '../../../lib/journey/validate';
import { definition, fixture, importDefinition, itemsAt, onlyJourney } from './helpers';

const EVERY = 'every-activity.json';
const at = (path: string) => `/JourneyResponse${path}`;

describe('every activity type', () => {
  const result = importPinpoint([fixture(EVERY), fixture('segments/vip.json')]);
  const doc = onlyJourney(result);
  const steps = doc.steps;
  const items = (path: string) => itemsAt(result, at(path), EVERY);

  it('EMAIL, SMS and PUSH become sends on their channel with their template; a transactional SMS stays transactional', () => {
    expect(steps.thankyou).toEqual({ type: 'send', channel: 'email', template: 'order-thanks', next: 'waitship' });
    expect(steps.shiptext).toEqual({
      type: 'send',
      channel: 'sms',
      template: 'shipping',
      purpose: 'transactional',
      next: 'review',
    });
    expect(steps.remind).toEqual({ type: 'send', channel: 'push', template: 'reminder', next: 'split' });
    // What a send step cannot carry is reported at its own pointer.
    expect(items('/Activities/ThankYou/EMAIL/MessageConfig/FromAddress')).toEqual([
      expect.objectContaining({ level: 'todo', message: expect.stringContaining('"orders@example.com"') }),
    ]);
    expect(items('/Activities/ShipText/SMS/MessageConfig/OriginationNumber')[0].level).toBe('todo');
    expect(items('/Activities/Remind/PUSH/MessageConfig/TimeToLive')[0].level).toBe('todo');
  });

  it('CUSTOM becomes an action to a destination named after its Lambda or URL, to configure by hand', () => {
    expect(steps.webhook).toEqual({
      type: 'action',
      target: 'webhook.hooks-example-com',
      payload: { data: `'{"offer":"spring"}'` },
      next: 'end',
      onError: 'end',
    });
    expect(steps.sync).toEqual({ type: 'action', target: 'lambda.crm-sync', next: 'end', onError: 'end' });
    expect(items('/Activities/Webhook/CUSTOM/DeliveryUri')).toEqual([
      expect.objectContaining({
        level: 'todo',
        message: expect.stringContaining('as a webhook to https://hooks.example.com/pinpoint/offer'),
      }),
    ]);
    expect(items('/Activities/Sync/CUSTOM/DeliveryUri')[0].message).toContain('function:crm-sync');
  });

  it('a destination is named after the host only (a path may hold a secret); two URIs never share a name', () => {
    const custom = (uri: string, next?: string) => ({
      CUSTOM: { DeliveryUri: uri, ...(next ? { NextActivity: next } : {}) },
    });
    const r = importDefinition(
      definition({
        StartActivity: 'A',
        Activities: {
          A: custom('https://hooks.slack.com/services/T0001/B0001/s3cr3tT0k3n', 'B'),
          B: custom('https://hooks.slack.com/services/T0001/B0002/0th3rT0k3n', 'C'),
          C: custom('https://hooks.slack.com/services/T0001/B0001/s3cr3tT0k3n'),
        },
      }),
    );
    const doc = onlyJourney(r);
    expect([doc.steps.a, doc.steps.b, doc.steps.c].map((s) => (s as { target: string }).target)).toEqual([
      'webhook.hooks-slack-com',
      'webhook.hooks-slack-com-2',
      'webhook.hooks-slack-com',
    ]);
    expect(JSON.stringify(doc)).not.toMatch(/s3cr3t|0th3r/);
  });

  it('Wait becomes a wait for a duration (fractions in whole units) or until a time', () => {
    expect(steps.waitship).toEqual({ type: 'wait', for: 'PT1H30M', next: 'shiptext' });
    expect(items('/Activities/WaitShip/Wait/WaitTime/WaitFor')[0]).toMatchObject({ level: 'note' });
    expect(steps.survey).toEqual({ type: 'wait', until: '2026-04-01T10:00:00Z', next: 'surveymail' });
  });

  it('a yes/no split that evaluates later is a wait, then a branch over its conditions (ANY) with the false path as default', () => {
    expect(steps.review).toEqual({ type: 'wait', for: 'P2D', next: 'review-check' });
    expect(steps['review-check']).toEqual({
      type: 'branch',
      cases: [
        {
          if: {
            any: [
              { path: 'messages.shiptext.status', in: ['delivered', 'opened', 'clicked', 'replied'] },
              { path: 'profile.attributes.orders', gte: 3 },
            ],
          },
          next: 'split',
        },
      ],
      default: 'remind',
    });
  });

  it('a multivariate split is a branch with one case a path, in order, and its else path as default', () => {
    expect(steps.offer).toEqual({
      type: 'branch',
      cases: [
        { if: { path: 'profile.attributes.interests', contains: 'shoes' }, next: 'control' },
        { if: { path: 'profile.phone', exists: true }, next: 'callback' },
      ],
      default: 'webhook',
    });
  });

  it('a random split is a split weighted by the percentages; a path with no next activity ends the journey', () => {
    expect(steps.split).toEqual({
      type: 'split',
      paths: [
        { weight: 40, next: 'offer' },
        { weight: 40, next: 'survey' },
        { weight: 20, next: 'end' },
      ],
    });
    expect(steps.end).toEqual({ type: 'end' });
  });

  it('a holdout is a split whose held-out share exits as holdout', () => {
    expect(steps.control).toEqual({
      type: 'split',
      paths: [
        { weight: 10, exit: 'holdout' },
        { weight: 90, next: 'webhook' },
      ],
    });
  });

  it('a contact center activity hands the customer to phone; the Connect campaign is named in the report', () => {
    expect(steps.callback).toEqual({
      type: 'handoff',
      to: 'phone',
      carry: [],
      reason: "'pinpoint contact center activity'",
      next: 'sync',
    });
    expect(items('/Activities/Callback/ContactCenter')[0].message).toContain(
      'arn:aws:connect-campaigns:us-east-1:123456789012:campaign/abc',
    );
  });

  it('writes a journey that validates, starting at StartActivity, and maps every activity to its step', () => {
    expect(doc.start).toBe('thankyou');
    expect(validateJourney(doc, { templateExists: () => true })).toMatchObject({ ok: true });
    expect(result.journeys[0].steps).toEqual(
      expect.arrayContaining([
        { activity: 'ThankYou', type: 'EMAIL', step: 'thankyou', description: undefined },
        { activity: 'Control', type: 'Holdout', step: 'control', description: undefined },
      ]),
    );
    expect(result.journeys[0].steps).toHaveLength(13);
  });
});

describe('the API reference schema sample (four emails, a wait, a yes/no, a multivariate and a random split)', () => {
  const result = importPinpoint([
    fixture('api-reference-sample.json'),
    fixture('segments/subscribers.json'),
    fixture('templates/welcome_new_subscribers.email.json'),
  ]);
  const doc = onlyJourney(result);

  it('keeps the activity graph: every activity is a step, reached as in Pinpoint', () => {
    expect(result.journeys[0].steps.map((s) => [s.activity, s.step])).toEqual([
      ['Viv6yKziaa', 'viv6ykziaa'],
      ['9uBp8LVvwU', 'step-9ubp8lvvwu'],
      ['PmEm4ylnjl', 'pmem4ylnjl'],
      ['Wp2BiydrLs', 'wp2biydrls'],
      ['WH2N8uKTaZ', 'wh2n8uktaz'],
      ['IDaP0HyEUf', 'idap0hyeuf'],
      ['GC6yPoYRX1', 'gc6ypoyrx1'],
      ['vpZ8Ejpxba', 'vpz8ejpxba'],
    ]);
    expect(doc.steps.viv6ykziaa).toEqual({
      type: 'send',
      channel: 'email',
      template: 'welcome_new_subscribers',
      next: 'step-9ubp8lvvwu',
    });
    // Segment membership in a split reads the segment's dimensions (passed beside the journey).
    expect(doc.steps['step-9ubp8lvvwu']).toEqual({
      type: 'branch',
      cases: [
        { if: { path: 'profile.attributes.interests', contains: 'music' }, next: 'pmem4ylnjl' },
        { if: { path: 'profile.attributes.interests', contains: 'sport' }, next: 'wp2biydrls' },
      ],
      default: 'wh2n8uktaz',
    });
    expect(doc.steps.idap0hyeuf).toEqual({
      type: 'branch',
      cases: [{ if: { path: 'messages.viv6ykziaa.status', eq: 'clicked' }, next: 'gc6ypoyrx1' }],
      default: 'vpz8ejpxba',
    });
  });

  it('a segment start becomes an audience (SPEC §6): the segment as where, the schedule, hourly refresh as repeat', () => {
    expect(doc.trigger).toBeUndefined();
    expect(doc.audience).toEqual({
      segment: { where: { path: 'profile.attributes.newsletter', eq: 'subscribed' } },
      schedule: { start: '2026-03-02T17:00:00Z', repeat: 'PT1H', end: '2026-03-02T19:30:00Z' },
      ratePerSecond: 100,
    });
    expect(doc.entry).toEqual({ limit: 1 });
    expect(doc.settings).toMatchObject({ timezone: 'Etc/GMT+8' });
  });
});

describe('activity ids as step ids', () => {
  it('lower-cases, shortens long ids uniquely, starts with a letter, and keeps ids that differ only in case apart', () => {
    const long = `A${'b'.repeat(99)}`;
    const longToo = `A${'b'.repeat(98)}c`;
    const result = importDefinition(
      definition({
        StartActivity: 'Abc',
        Activities: {
          Abc: { Wait: { WaitTime: { WaitFor: 'PT1H' }, NextActivity: 'abc' } },
          abc: { Wait: { WaitTime: { WaitFor: 'PT1H' }, NextActivity: long } },
          [long]: { Wait: { WaitTime: { WaitFor: 'PT1H' }, NextActivity: longToo } },
          [longToo]: { Wait: { WaitTime: { WaitFor: 'PT1H' }, NextActivity: '42' } },
          42: { Wait: { WaitTime: { WaitFor: 'PT1H' } } },
        },
      }),
    );
    const ids = result.journeys[0].steps.map((s) => s.step);
    expect(ids).toEqual(['abc', 'abc-2', `a${'b'.repeat(62)}`, `a${'b'.repeat(60)}-2`, 'step-42']);
    for (const id of ids) expect(id).toMatch(STEP_ID_PATTERN);
    expect(validateJourney(onlyJourney(result), { templateExists: () => true })).toMatchObject({ ok: true });
  });
});

describe('what the AWS CLI prints', () => {
  it('list-journeys output imports each journey, with unique journey ids; a WriteJourneyRequest reads the same', () => {
    const journey = definition();
    const result = importPinpoint([
      { file: 'all.json', doc: { JourneysResponse: { Item: [journey, { ...journey, Name: 'Test Journey' }] } } },
      { file: 'create.json', doc: { ApplicationId: 'app', WriteJourneyRequest: { ...journey, Name: 'Other' } } },
    ]);
    expect(result.unreadable).toEqual([]);
    expect(result.journeys.map((j) => [j.id, j.report.source])).toEqual([
      ['test-journey', { file: 'all.json', base: '/JourneysResponse/Item/0' }],
      ['test-journey-2', { file: 'all.json', base: '/JourneysResponse/Item/1' }],
      ['other', { file: 'create.json', base: '/WriteJourneyRequest' }],
    ]);
    // One Pinpoint template, one Baton template, whichever journeys send it.
    expect(result.files.map((f) => f.path)).toEqual(['templates/hello.email.liquid']);
  });
});
