/**
 * Journey-wide settings (SPEC §8): the start condition, Limits, QuietTime and WaitForQuietTime,
 * LocalTime, Schedule with its UTC-offset zone, RefreshFrequency, and what has no Baton equivalent
 * (OpenHours, ClosedDays...) reported at its pointer.
 */
import { zoneOfOffset } from '../../../lib/import/pinpoint/times';
import { definition, importDefinition, itemsAt, onlyJourney } from './helpers';

describe('start condition', () => {
  it('an event filter becomes the trigger: its event type, and its attributes and metrics as where on the data', () => {
    const doc = onlyJourney(
      importDefinition(
        definition({
          StartCondition: {
            EventStartCondition: {
              EventFilter: {
                FilterType: 'ENDPOINT',
                Dimensions: {
                  EventType: { DimensionType: 'INCLUSIVE', Values: ['artist.download'] },
                  Attributes: {
                    artistName: { AttributeType: 'INCLUSIVE', Values: ['Bruce Springsteen', 'Alicia Keys'] },
                    'genre tag': { AttributeType: 'EXCLUSIVE', Values: ['kids'] },
                  },
                  Metrics: { songLength: { ComparisonOperator: 'GREATER_THAN_OR_EQUAL', Value: 500 } },
                },
              },
            },
          },
        }),
      ),
    );
    expect(doc.trigger).toEqual({
      event: 'artist.download',
      where: {
        all: [
          { path: 'trigger.data.artistName', in: ['Bruce Springsteen', 'Alicia Keys'] },
          { not: { path: 'trigger.data.genre_tag', eq: 'kids' } },
          { path: 'trigger.data.songLength', gte: 500 },
        ],
      },
    });
  });

  it('an event type Baton cannot write as is is renamed with a note; several event types write the first with a todo', () => {
    const result = importDefinition(
      definition({
        StartCondition: {
          EventStartCondition: {
            EventFilter: {
              FilterType: 'SYSTEM',
              Dimensions: {
                EventType: { DimensionType: 'INCLUSIVE', Values: ['_session.start', 'PurchaseCompleted'] },
              },
            },
          },
        },
      }),
    );
    expect(onlyJourney(result).trigger).toEqual({ event: 'session.start' });
    const base = '/JourneyResponse/StartCondition/EventStartCondition/EventFilter/Dimensions/EventType';
    expect(itemsAt(result, `${base}/Values/0`)[0]).toMatchObject({ level: 'note' });
    expect(itemsAt(result, `${base}/Values`)[0]).toMatchObject({
      level: 'todo',
      message: expect.stringContaining('"PurchaseCompleted"'),
    });
    expect(result.exitCode).toBe(3);
  });

  it("the event start condition's segment is a where on the profile when the segment is passed, else a todo", () => {
    const segment = {
      file: 'seg.json',
      doc: {
        SegmentResponse: {
          Id: 'seg-1',
          SegmentType: 'DIMENSIONAL',
          Dimensions: { Metrics: { orders: { ComparisonOperator: 'LESS_THAN', Value: 2 } } },
        },
      },
    };
    const start = {
      EventStartCondition: {
        EventFilter: { FilterType: 'ENDPOINT', Dimensions: { EventType: { Values: ['order.placed'] } } },
        SegmentId: 'seg-1',
      },
    };
    const doc = onlyJourney(importDefinition(definition({ StartCondition: start }), segment));
    expect(doc.trigger).toEqual({ event: 'order.placed', where: { path: 'profile.attributes.orders', lt: 2 } });
    const without = importDefinition(definition({ StartCondition: start }));
    expect((onlyJourney(without).trigger as { where: unknown }).where).toEqual({
      path: 'profile.attributes.pinpoint_unmapped',
      eq: '/StartCondition/EventStartCondition/SegmentId',
    });
    expect(itemsAt(without, '/JourneyResponse/StartCondition/EventStartCondition/SegmentId')[0]).toMatchObject({
      level: 'todo',
      message: expect.stringContaining('aws pinpoint get-segment'),
    });
  });

  it('a segment start without the segment becomes an audience file to fill in, with a todo saying how', () => {
    const result = importDefinition(
      definition({
        StartCondition: { SegmentStartCondition: { SegmentId: 'seg-42' } },
        Schedule: { StartTime: '2026-12-01T17:00:00Z' },
      }),
    );
    expect(onlyJourney(result).audience).toEqual({
      segment: { file: 'audiences/seg-42.jsonl' },
      schedule: { start: '2026-12-01T17:00:00Z' },
    });
    expect(itemsAt(result, '/JourneyResponse/StartCondition/SegmentStartCondition/SegmentId')[0].message).toContain(
      'create-export-job',
    );
  });
});

describe('schedule', () => {
  it("LocalTime: the start is the wall time StartTime shows in the schedule's zone, entered on each customer's clock", () => {
    const doc = onlyJourney(
      importDefinition(
        definition({
          StartCondition: { SegmentStartCondition: { SegmentId: 'seg-1' } },
          LocalTime: true,
          Schedule: { StartTime: '2026-12-01T17:00:00.000Z', EndTime: '2026-12-31T00:00:00Z', Timezone: 'UTC-08' },
          RefreshFrequency: 'P1D',
        }),
      ),
    );
    expect((doc.audience as { schedule: unknown }).schedule).toEqual({
      start: '2026-12-01T09:00:00',
      localTime: true,
      repeat: 'P1D',
      end: '2026-12-31T00:00:00Z',
    });
  });

  it('a StartTime or EndTime without a UTC offset (LocalTime off) is written as UTC with a todo each, as a wait until one is', () => {
    const result = importDefinition(
      definition({
        StartCondition: { SegmentStartCondition: { SegmentId: 'seg-1' } },
        Schedule: { StartTime: '2026-12-01T09:00:00', EndTime: '2026-12-31T00:00:00', Timezone: 'UTC-05' },
      }),
    );
    expect((onlyJourney(result).audience as { schedule: unknown }).schedule).toEqual({
      start: '2026-12-01T09:00:00Z',
      end: '2026-12-31T00:00:00Z',
    });
    for (const field of ['StartTime', 'EndTime'])
      expect(itemsAt(result, `/JourneyResponse/Schedule/${field}`)[0]).toMatchObject({
        level: 'todo',
        message: expect.stringContaining('has no UTC offset: written as UTC'),
      });
  });

  it('a refresh more often than hourly is written hourly, with a todo', () => {
    const result = importDefinition(
      definition({
        StartCondition: { SegmentStartCondition: { SegmentId: 'seg-1' } },
        Schedule: { StartTime: '2026-12-01T17:00:00Z' },
        RefreshFrequency: 'PT15M',
      }),
    );
    expect((onlyJourney(result).audience as { schedule: { repeat: string } }).schedule.repeat).toBe('PT1H');
    expect(itemsAt(result, '/JourneyResponse/RefreshFrequency')[0].level).toBe('todo');
  });

  it('an event journey cannot take a schedule window: a todo says to deploy and remove it then', () => {
    const result = importDefinition(
      definition({ Schedule: { StartTime: '2026-12-01T17:00:00Z', EndTime: '2026-12-24T00:00:00Z' } }),
    );
    expect(itemsAt(result, '/JourneyResponse/Schedule')[0]).toMatchObject({
      level: 'todo',
      message: expect.stringContaining('remove it at 2026-12-24T00:00:00Z'),
    });
  });

  it.each([
    ['UTC', 'exact', 'UTC'],
    ['UTC+05', 'exact', 'Etc/GMT-5'],
    ['UTC-11', 'exact', 'Etc/GMT+11'],
    ['UTC+13', 'exact', 'Etc/GMT-13'],
    ['UTC+05:30', 'place', 'Asia/Kolkata'],
    ['UTC+05:45', 'place', 'Asia/Kathmandu'],
    ['UTC-09:30', 'place', 'Pacific/Marquesas'],
    ['UTC-03:30', 'seasonal', 'America/St_Johns'],
    ['UTC+13:45', 'seasonal', 'Pacific/Chatham'],
  ])('Schedule.Timezone %s is %s: %s', (offset, kind, zone) => {
    expect(zoneOfOffset(offset)).toMatchObject({ kind, zone });
    const result = importDefinition(definition({ Schedule: { Timezone: offset } }));
    expect((onlyJourney(result).settings as { timezone: string }).timezone).toBe(zone);
    const items = itemsAt(result, '/JourneyResponse/Schedule/Timezone');
    expect(items.map((i) => i.level)).toEqual(kind === 'exact' ? [] : kind === 'place' ? ['note'] : ['todo']);
  });

  it('Etc/GMT zones keep the offset: UTC+05 is five hours ahead all year', () => {
    const noon = Date.parse('2026-07-01T12:00:00Z');
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Etc/GMT-5', hour: '2-digit', hour12: false }).format(
      noon,
    );
    expect(local).toBe('17');
  });
});

describe('limits', () => {
  it('EndpointReentryCap is the entry limit (0: none), EndpointReentryInterval the cooldown', () => {
    expect(
      onlyJourney(importDefinition(definition({ Limits: { EndpointReentryCap: 2, EndpointReentryInterval: 'P1D' } })))
        .entry,
    ).toEqual({
      limit: 2,
      cooldown: 'P1D',
    });
    expect(onlyJourney(importDefinition(definition({ Limits: { EndpointReentryCap: 0 } }))).entry).toBeUndefined();
  });

  it.each([
    [{ DailyCap: 2 }, { max: 2, per: 'P1D', scope: 'journey', action: 'skip' }],
    [{ TimeframeCap: { Cap: 5, Days: 7 } }, { max: 5, per: 'P7D', scope: 'customer', action: 'skip' }],
    [{ TotalCap: 10 }, { max: 10, per: 'P365D', scope: 'journey', action: 'skip' }],
  ])('%j is the frequency cap %j', (limits, cap) => {
    expect(onlyJourney(importDefinition(definition({ Limits: limits }))).settings).toEqual({ frequencyCap: cap });
  });

  it('Baton keeps one cap: with several, TimeframeCap is kept and the others are todos at their pointers', () => {
    const result = importDefinition(
      definition({ Limits: { DailyCap: 2, TimeframeCap: { Cap: 5, Days: 7 }, TotalCap: 9 } }),
    );
    expect((onlyJourney(result).settings as { frequencyCap: unknown }).frequencyCap).toMatchObject({
      scope: 'customer',
    });
    expect(itemsAt(result, '/JourneyResponse/Limits/DailyCap')[0].level).toBe('todo');
    expect(itemsAt(result, '/JourneyResponse/Limits/TotalCap')[0].level).toBe('todo');
  });

  it('MessagesPerSecond is an audience rate; an event journey has none (todo)', () => {
    const result = importDefinition(definition({ Limits: { MessagesPerSecond: 20 } }));
    expect(itemsAt(result, '/JourneyResponse/Limits/MessagesPerSecond')[0].level).toBe('todo');
    const audience = onlyJourney(
      importDefinition(
        definition({
          StartCondition: { SegmentStartCondition: { SegmentId: 's' } },
          Schedule: { StartTime: '2026-12-01T17:00:00Z' },
          Limits: { MessagesPerSecond: 20 },
        }),
      ),
    ).audience;
    expect(audience).toMatchObject({ ratePerSecond: 20 });
  });
});

describe('quiet time', () => {
  it('WaitForQuietTime defers messages to the end of quiet time; without it they are skipped', () => {
    const zone = { Schedule: { Timezone: 'UTC-05' } };
    expect(
      onlyJourney(
        importDefinition(definition({ ...zone, QuietTime: { Start: '21:00', End: '08:00' }, WaitForQuietTime: true })),
      ).settings,
    ).toEqual({ quietHours: { start: '21:00', end: '08:00', action: 'defer' }, timezone: 'Etc/GMT+5' });
    expect(
      onlyJourney(importDefinition(definition({ ...zone, QuietTime: { Start: '21:00', End: '08:00' } }))).settings,
    ).toMatchObject({
      quietHours: { action: 'skip' },
    });
  });

  it('quiet time without a zone gets UTC with a todo (Baton holds customers without a zone by the journey zone)', () => {
    const result = importDefinition(definition({ QuietTime: { Start: '22:00', End: '07:00' } }));
    expect((onlyJourney(result).settings as { timezone: string }).timezone).toBe('UTC');
    expect(itemsAt(result, '/JourneyResponse/QuietTime').map((i) => i.level)).toEqual(['note', 'todo']);
  });

  it('OpenHours, ClosedDays, SendingSchedule, time zone estimation and Connect settings are todos at their pointers', () => {
    const result = importDefinition(
      definition({
        QuietTime: { Start: '22:00', End: '07:00' },
        Schedule: { Timezone: 'UTC' },
        SendingSchedule: true,
        OpenHours: { SMS: { FRIDAY: [{ StartTime: '09:00', EndTime: '17:00' }] } },
        ClosedDays: {
          EMAIL: [{ Name: 'New year', StartDateTime: '2027-01-01T00:00', EndDateTime: '2027-01-02T00:00' }],
        },
        TimezoneEstimationMethods: ['POSTAL_CODE'],
        JourneyChannelSettings: { ConnectCampaignArn: 'arn:aws:connect-campaigns:us-east-1:1:campaign/x' },
      }),
    );
    for (const key of [
      'SendingSchedule',
      'OpenHours',
      'ClosedDays',
      'TimezoneEstimationMethods',
      'JourneyChannelSettings',
    ])
      expect(itemsAt(result, `/JourneyResponse/${key}`).map((i) => i.level)).toEqual(['todo']);
    expect(result.exitCode).toBe(3);
  });
});
