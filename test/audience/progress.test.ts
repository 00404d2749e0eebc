/**
 * What the console shows of an audience journey's runs (SPEC §6): per run its members, entered,
 * ignored by reason and progress, from the run and batch records; the next run and when it starts.
 */
import { readProfiles } from '../../lib/local/inputs';
import { simulate } from '../../lib/local/simulate';
import { type ConsoleAudience, consoleJourneys } from '../../lib/server/console-routes';
import { loadValid } from '../helpers';

async function audienceAfter(journey: string, profiles: string, until?: string): Promise<ConsoleAudience | undefined> {
  let audience: ConsoleAudience | undefined;
  await simulate({
    journeys: [loadValid(journey)],
    events: [],
    profiles: readProfiles(profiles).profiles,
    until: until === undefined ? undefined : Date.parse(until),
    inspect: async (rt) => {
      audience = (await consoleJourneys(rt.deps))[0].audience;
    },
  });
  return audience;
}

describe("an audience journey's runs in the console", () => {
  it('counts each run: members, entered, ignored by reason, done', async () => {
    const a = await audienceAfter(
      'test/scenarios/audience-entry-rules/journey.json',
      'test/scenarios/audience-entry-rules/profiles.json',
    );
    expect(a).toMatchObject({
      segment: 'profile.attributes.tips = true',
      schedule: 'every P1D from 2026-12-01T16:00:00Z until 2026-12-06T00:00:00Z',
    });
    expect(a?.nextRun).toBeUndefined();
    expect(
      a?.runs.map(({ runAt, members, entered, ignored, status, progress }) => ({
        runAt,
        members,
        entered,
        ignored,
        status,
        progress,
      })),
    ).toEqual([
      { runAt: '2026-12-05T16:00:00Z', members: 2, entered: 0, ignored: { limit: 2 }, status: 'done', progress: 1 },
      {
        runAt: '2026-12-04T16:00:00Z',
        members: 2,
        entered: 0,
        ignored: { limit: 1, 'already-active': 1 },
        status: 'done',
        progress: 1,
      },
      { runAt: '2026-12-03T16:00:00Z', members: 2, entered: 2, ignored: {}, status: 'done', progress: 1 },
      {
        runAt: '2026-12-02T16:00:00Z',
        members: 2,
        entered: 0,
        ignored: { cooldown: 1, 'already-active': 1 },
        status: 'done',
        progress: 1,
      },
      { runAt: '2026-12-01T16:00:00Z', members: 2, entered: 2, ignored: {}, status: 'done', progress: 1 },
    ]);
  });

  it('shows a run under way with its progress, and the next run of a schedule', async () => {
    const a = await audienceAfter(
      'workflows/lapsed-win-back.json',
      'test/scenarios/lapsed-win-back/profiles.json',
      '2026-12-03T15:00:01Z',
    );
    expect(a?.runs).toEqual([
      expect.objectContaining({
        runAt: '2026-12-03T15:00:00Z',
        members: 5,
        entered: 4,
        status: 'entering',
        progress: 0.8,
      }),
    ]);
    const weekly = await audienceAfter(
      'workflows/weekly-newsletter.json',
      'test/scenarios/weekly-newsletter/profiles.json',
      '2026-10-27T00:00:00Z',
    );
    expect(weekly?.nextRun).toEqual({ runAt: '2026-11-02T09:00:00', startsAt: '2026-11-01T19:00:00.000Z' });
    expect(weekly?.runs.map((r) => [r.runAt, r.members, r.entered, r.status])).toEqual([
      ['2026-10-26T09:00:00', 4, 4, 'done'],
    ]);
  });
});
