/**
 * Split conditions (SPEC §8): message events of an earlier activity become conditions on
 * `messages.<step>.status`; endpoint and user attributes and metrics become profile conditions;
 * what has no equivalent becomes a condition that never holds, reported at its pointer.
 */
import type { Condition } from '../../../lib/journey/schema';
import { validateJourney } from '../../../lib/journey/validate';
import { definition, importDefinition, itemsAt, onlyJourney } from './helpers';

/** A journey: an email, then a yes/no split on one condition. */
function splitOn(condition: Record<string, unknown>, channel: 'EMAIL' | 'SMS' | 'PUSH' = 'EMAIL') {
  return importDefinition(
    definition({
      StartActivity: 'Msg',
      Activities: {
        Msg: { [channel]: { TemplateName: 'Msg', NextActivity: 'Check' } },
        Check: {
          ConditionalSplit: { Condition: { Conditions: [condition] }, TrueActivity: 'Yes', FalseActivity: 'No' },
        },
        Yes: { Wait: { WaitTime: { WaitFor: 'PT1H' } } },
        No: { Wait: { WaitTime: { WaitFor: 'PT2H' } } },
      },
    }),
  );
}

function conditionOf(result: ReturnType<typeof splitOn>): Condition {
  const doc = onlyJourney(result);
  expect(validateJourney(doc, { templateExists: () => true })).toMatchObject({ ok: true });
  return (doc.steps.check as { cases: { if: Condition }[] }).cases[0].if;
}

const event = (type: string, dimensionType = 'INCLUSIVE') => ({
  EventCondition: {
    MessageActivity: 'Msg',
    Dimensions: { EventType: { DimensionType: dimensionType, Values: [type] } },
  },
});

describe('message events become branches on the message status', () => {
  it.each([
    [
      'EMAIL',
      '_email.send',
      { path: 'messages.msg.status', in: ['sent', 'delivered', 'opened', 'clicked', 'replied', 'bounced'] },
    ],
    ['EMAIL', '_email.delivered', { path: 'messages.msg.status', in: ['delivered', 'opened', 'clicked', 'replied'] }],
    ['EMAIL', '_email.open', { path: 'messages.msg.status', in: ['opened', 'clicked', 'replied'] }],
    ['EMAIL', '_email.click', { path: 'messages.msg.status', eq: 'clicked' }],
    ['EMAIL', '_email.hardbounce', { path: 'messages.msg.status', eq: 'bounced' }],
    ['EMAIL', '_email.rejected', { path: 'messages.msg.status', eq: 'failed' }],
    ['EMAIL', '_email.unsubscribe', { path: 'profile.consent.email', eq: 'opted_out' }],
    ['SMS', '_SMS.SUCCESS', { path: 'messages.msg.status', in: ['delivered', 'opened', 'clicked', 'replied'] }],
    ['SMS', '_SMS.FAILURE', { path: 'messages.msg.status', eq: 'failed' }],
    ['SMS', '_SMS.OPTOUT', { path: 'profile.consent.sms', eq: 'opted_out' }],
    ['PUSH', '_campaign.opened_notification', { path: 'messages.msg.status', in: ['opened', 'clicked', 'replied'] }],
  ] as const)('%s %s', (channel, type, expected) => {
    const result = splitOn(event(type), channel);
    expect(conditionOf(result)).toEqual(expected);
    expect(result.report.filter((i) => i.level === 'todo')).toEqual([
      // The stub template of the message activity is the only thing left to do.
      expect.objectContaining({ pointer: `/JourneyResponse/Activities/Msg/${channel}/TemplateName` }),
    ]);
  });

  it('several event types are any of them; EXCLUSIVE is none of them', () => {
    const either = {
      EventCondition: {
        MessageActivity: 'Msg',
        Dimensions: { EventType: { DimensionType: 'EXCLUSIVE', Values: ['_email.click', '_email.open'] } },
      },
    };
    expect(conditionOf(splitOn(either))).toEqual({
      not: { path: 'messages.msg.status', in: ['clicked', 'opened', 'replied'] },
    });
  });

  it('an event with no Baton status (a complaint) is a condition that never holds, and a todo at its pointer', () => {
    const result = splitOn(event('_email.complaint'));
    const at = '/Activities/Check/ConditionalSplit/Condition/Conditions/0/EventCondition/Dimensions/EventType/Values/0';
    expect(conditionOf(result)).toEqual({ path: 'profile.attributes.pinpoint_unmapped', eq: at });
    expect(itemsAt(result, `/JourneyResponse${at}`)).toEqual([
      expect.objectContaining({ level: 'todo', message: expect.stringContaining('no complaint') }),
    ]);
  });

  it('a MessageActivity that names no message activity is reported, and the journey still validates', () => {
    const result = splitOn({
      EventCondition: { MessageActivity: 'Nowhere', Dimensions: { EventType: { Values: ['_email.open'] } } },
    });
    expect(conditionOf(result)).toMatchObject({ path: 'profile.attributes.pinpoint_unmapped' });
    expect(
      itemsAt(
        result,
        '/JourneyResponse/Activities/Check/ConditionalSplit/Condition/Conditions/0/EventCondition/MessageActivity',
      )[0].message,
    ).toContain('"Nowhere", which does not exist');
  });
});

describe('attributes and metrics become profile conditions', () => {
  const dims = (d: Record<string, unknown>) => ({ SegmentDimensions: d });

  it.each([
    [
      { AttributeType: 'INCLUSIVE', Values: ['gold'] },
      { path: 'profile.attributes.tier', eq: 'gold' },
    ],
    [{ Values: ['gold', 'silver'] }, { path: 'profile.attributes.tier', in: ['gold', 'silver'] }],
    [{ AttributeType: 'EXCLUSIVE', Values: ['gold'] }, { not: { path: 'profile.attributes.tier', eq: 'gold' } }],
    [
      { AttributeType: 'CONTAINS', Values: ['go', 'sil'] },
      {
        any: [
          { path: 'profile.attributes.tier', contains: 'go' },
          { path: 'profile.attributes.tier', contains: 'sil' },
        ],
      },
    ],
    [
      { AttributeType: 'BEFORE', Values: ['2026-01-01T00:00:00Z'] },
      { path: 'profile.attributes.tier', lt: '2026-01-01T00:00:00Z' },
    ],
    [
      { AttributeType: 'AFTER', Values: ['2026-01-01T00:00:00Z'] },
      { path: 'profile.attributes.tier', gt: '2026-01-01T00:00:00Z' },
    ],
    [
      { AttributeType: 'ON', Values: ['2026-01-01T00:00:00Z'] },
      { path: 'profile.attributes.tier', startsWith: '2026-01-01' },
    ],
    [
      { AttributeType: 'BETWEEN', Values: ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'] },
      {
        all: [
          { path: 'profile.attributes.tier', gte: '2026-01-01T00:00:00Z' },
          { path: 'profile.attributes.tier', lte: '2026-02-01T00:00:00Z' },
        ],
      },
    ],
  ])('user attribute %j', (dimension, expected) => {
    expect(conditionOf(splitOn(dims({ UserAttributes: { Tier: dimension } })))).toEqual(expected);
  });

  it('endpoint attributes and metrics read profile attributes too, with their comparison', () => {
    expect(
      conditionOf(
        splitOn(
          dims({
            Attributes: { 'favorite color': { Values: ['red'] } },
            Metrics: {
              Sessions: { ComparisonOperator: 'GREATER_THAN', Value: 3 },
              score: { ComparisonOperator: 'EQUAL', Value: 7 },
            },
          }),
        ),
      ),
    ).toEqual({
      all: [
        { path: 'profile.attributes.favorite_color', eq: 'red' },
        { path: 'profile.attributes.sessions', gt: 3 },
        { path: 'profile.attributes.score', eq: 7 },
      ],
    });
  });

  it('device, location and recency have no profile field: conditions that never hold, each a todo', () => {
    const result = splitOn(
      dims({
        Demographic: { Platform: { Values: ['ios'] } },
        Location: { Country: { Values: ['US'] } },
        Behavior: { Recency: { Duration: 'DAY_7', RecencyType: 'ACTIVE' } },
      }),
    );
    expect(conditionOf(result)).toEqual({
      all: [
        expect.objectContaining({ path: 'profile.attributes.pinpoint_unmapped' }),
        expect.objectContaining({ path: 'profile.attributes.pinpoint_unmapped' }),
        expect.objectContaining({ path: 'profile.attributes.pinpoint_unmapped' }),
      ],
    });
    const base = '/JourneyResponse/Activities/Check/ConditionalSplit/Condition/Conditions/0/SegmentDimensions';
    for (const p of ['/Demographic/Platform', '/Location/Country', '/Behavior/Recency'])
      expect(itemsAt(result, base + p).map((i) => i.level)).toEqual(['todo']);
  });

  it("a segment's groups combine as Pinpoint combines them (Include, Type), over its base segments too", () => {
    const segments = {
      file: 'segs.json',
      doc: {
        SegmentsResponse: {
          Item: [
            {
              Id: 'base',
              SegmentType: 'DIMENSIONAL',
              Dimensions: { UserAttributes: { Plan: { Values: ['pro'] } } },
            },
            {
              Id: 'derived',
              SegmentType: 'DIMENSIONAL',
              SegmentGroups: {
                Include: 'ALL',
                Groups: [
                  {
                    SourceSegments: [{ Id: 'base' }],
                    Type: 'NONE',
                    Dimensions: [{ Metrics: { Churn: { ComparisonOperator: 'GREATER_THAN', Value: 0.5 } } }],
                  },
                ],
              },
            },
          ],
        },
      },
    };
    const result = importDefinition(
      definition({
        StartActivity: 'Check',
        Activities: {
          Check: {
            MultiCondition: {
              Branches: [{ Condition: { SegmentCondition: { SegmentId: 'derived' } }, NextActivity: 'Yes' }],
            },
          },
          Yes: { Wait: { WaitTime: { WaitFor: 'PT1H' } } },
        },
      }),
      segments,
    );
    expect((onlyJourney(result).steps.check as { cases: { if: unknown }[] }).cases[0].if).toEqual({
      all: [{ path: 'profile.attributes.plan', eq: 'pro' }, { not: { path: 'profile.attributes.churn', gt: 0.5 } }],
    });
  });
});
