/**
 * The two ops of a run (SPEC §6) on a real local runtime: `list` decides the members from the
 * profiles (through the profile index) or a segment file, gives each their instant and writes
 * the member files; `enter` enters a batch exactly once per run, whatever is retried, with the
 * entry rules and their `ignored` reasons.
 */
import { DEFAULT_BATCH } from '../../lib/audience/compile-run';
import { type EnterResult, enterBatch, type RunBatch } from '../../lib/audience/enter';
import { type ListResult, listRun, type MemberLine } from '../../lib/audience/list';
import type { AudiencePorts } from '../../lib/audience/ports';
import type { StepFunctionsPort } from '../../lib/core/ports';
import type { VirtualClock } from '../../lib/engine/clock';
import type { LocalEngine } from '../../lib/engine/engine';
import type { LoadedJourney } from '../../lib/journey/load';
import { keys } from '../../lib/store/keys';
import { advanceTo } from '../helpers';
import { audienceDoc, audienceRuntime, loadAudience, profile } from './fixtures';

async function members(ports: AudiencePorts, listed: ListResult): Promise<MemberLine[][]> {
  const out: MemberLine[][] = [];
  for (const g of listed.groups) {
    const text = (await ports.objects.get(listed.bucket, g.key)) ?? '';
    out.push(
      text
        .split('\n')
        .filter((l) => l)
        .map((l) => JSON.parse(l) as MemberLine),
    );
  }
  return out;
}

/**
 * A stand-in for the run's Map: each group's members in batches, in order, each batch entered
 * when the clock reaches its first member's instant.
 */
async function runInOrder(
  ports: AudiencePorts,
  engine: LocalEngine,
  clock: VirtualClock,
  l: LoadedJourney,
  runAt: string,
): Promise<EnterResult[]> {
  const { id, version, audience } = l.journey;
  const listed = await listRun(ports, { op: 'list', journey: id, version, runAt });
  const size = audience?.ratePerSecond ?? DEFAULT_BATCH;
  const results: EnterResult[] = [];
  for (const group of await members(ports, listed)) {
    for (let i = 0; i < group.length; i += size) {
      const batch: RunBatch = { Items: group.slice(i, i + size), BatchInput: { journey: id, version, runAt } };
      await advanceTo(engine, clock, Date.parse(batch.Items[0].enterAt));
      results.push(await enterBatch(ports, { op: 'enter', batch }));
      await engine.idle();
    }
  }
  return results;
}

const PROFILES = [
  profile('c-3', { plan: 'pro' }),
  profile('c-1', { plan: 'pro' }),
  profile('c-2', { plan: 'free' }),
  profile('c-10', { plan: 'pro' }),
];

describe('list', () => {
  it('lists the profiles a where holds for, in customer id order, into one member file at the run instant', async () => {
    const l = loadAudience(audienceDoc());
    const { rt, ports } = await audienceRuntime([l], { profiles: PROFILES });
    const listed = await listRun(ports, {
      op: 'list',
      journey: 'newsletter',
      version: 1,
      runAt: '2026-12-03T16:00:00Z',
    });
    expect(listed).toEqual({
      bucket: 'test-bucket',
      groups: [
        { enterAt: '2026-12-03T16:00:00Z', key: 'runs/newsletter/v1/2026-12-03T16-00-00Z/00000.jsonl', count: 3 },
      ],
    });
    expect(await members(ports, listed)).toEqual([
      ['c-1', 'c-10', 'c-3'].map((customerId) => ({ customerId, enterAt: '2026-12-03T16:00:00Z' })),
    ]);
    expect(await rt.table.get(keys.audience('newsletter'), keys.audienceRun('2026-12-03T16:00:00Z'))).toMatchObject({
      version: 1,
      members: 3,
      groups: 1,
    });
    await rt.close();
  });

  it('decides membership on the profile as it is at the run', async () => {
    const l = loadAudience(audienceDoc());
    const { rt, ports } = await audienceRuntime([l], { profiles: PROFILES });
    await rt.deps.table.update(keys.customer('c-2'), keys.profile, {
      set: { profile: profile('c-2', { plan: 'pro' }) },
    });
    const listed = await listRun(ports, {
      op: 'list',
      journey: 'newsletter',
      version: 1,
      runAt: '2026-12-03T16:00:00Z',
    });
    expect(listed.groups[0].count).toBe(4);
    await rt.close();
  });

  it('lists a segment file in file order, each customer once', async () => {
    const l = loadAudience(audienceDoc({ segment: { file: 'audiences/lapsed.jsonl' } }), {
      'audiences/lapsed.jsonl': 'c-9\n{"customerId": "c-4", "note": "x"}\nc-9\n\n"c-5"\n',
    });
    const { rt, ports } = await audienceRuntime([l]);
    const listed = await listRun(ports, {
      op: 'list',
      journey: 'newsletter',
      version: 1,
      runAt: '2026-12-03T16:00:00Z',
    });
    expect((await members(ports, listed))[0].map((m) => m.customerId)).toEqual(['c-9', 'c-4', 'c-5']);
    await rt.close();
  });

  it("groups a localTime run by each member's own instant: profile zone, else the journey's", async () => {
    const l = loadAudience(
      audienceDoc({ schedule: { start: '2026-11-02T09:00:00', localTime: true }, segment: { file: 'a.jsonl' } }),
      { 'a.jsonl': 'c-ny\nc-tokyo\nc-none\nc-london\nc-ny2\n' },
    );
    const { rt, ports } = await audienceRuntime([l], {
      profiles: [
        profile('c-ny', {}, 'America/New_York'),
        profile('c-ny2', {}, 'America/New_York'),
        profile('c-tokyo', {}, 'Asia/Tokyo'),
        profile('c-london', {}, 'Europe/London'),
        profile('c-none', {}),
      ],
    });
    const listed = await listRun(ports, {
      op: 'list',
      journey: 'newsletter',
      version: 1,
      runAt: '2026-11-02T09:00:00',
    });
    expect(listed.groups.map((g) => [g.enterAt, g.count])).toEqual([
      ['2026-11-02T00:00:00Z', 1], // Tokyo
      ['2026-11-02T09:00:00Z', 1], // London (winter time)
      ['2026-11-02T14:00:00Z', 3], // New York, and the journey's zone for c-none
    ]);
    expect((await members(ports, listed))[2].map((m) => m.customerId)).toEqual(['c-ny', 'c-none', 'c-ny2']);
    await rt.close();
  });

  it('spreads a group at ratePerSecond, in file order', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `c-${i}`);
    const l = loadAudience(audienceDoc({ segment: { file: 'a.jsonl' }, ratePerSecond: 2 }), {
      'a.jsonl': ids.join('\n'),
    });
    const { rt, ports } = await audienceRuntime([l]);
    const listed = await listRun(ports, {
      op: 'list',
      journey: 'newsletter',
      version: 1,
      runAt: '2026-12-03T16:00:00Z',
    });
    expect((await members(ports, listed)).flat().map((m) => [m.customerId, m.enterAt.slice(11, 19)])).toEqual([
      ['c-0', '16:00:00'],
      ['c-1', '16:00:00'],
      ['c-2', '16:00:01'],
      ['c-3', '16:00:01'],
      ['c-4', '16:00:02'],
      ['c-5', '16:00:02'],
      ['c-6', '16:00:03'],
    ]);
    await rt.close();
  });

  it('starts a group the second after the one before ends, so the whole run keeps the rate', async () => {
    // 1,801 members in Dhaka (09:00 is 03:00Z) take 1,801 s at 1 a second, past 03:30Z, when Kolkata's 09:00 comes.
    const dhaka = Array.from({ length: 1801 }, (_, i) => `d-${String(i).padStart(4, '0')}`);
    const l = loadAudience(
      audienceDoc({
        schedule: { start: '2026-11-02T09:00:00', localTime: true },
        segment: { file: 'a.jsonl' },
        ratePerSecond: 1,
      }),
      { 'a.jsonl': [...dhaka, 'k-1', 'k-2'].join('\n') },
    );
    const { rt, ports } = await audienceRuntime([l], {
      profiles: [
        ...dhaka.map((id) => profile(id, {}, 'Asia/Dhaka')),
        profile('k-1', {}, 'Asia/Kolkata'),
        profile('k-2', {}, 'Asia/Kolkata'),
      ],
    });
    const listed = await listRun(ports, {
      op: 'list',
      journey: 'newsletter',
      version: 1,
      runAt: '2026-11-02T09:00:00',
    });
    const [first, second] = await members(ports, listed);
    expect(first.at(-1)?.enterAt).toBe('2026-11-02T03:30:00Z');
    expect(listed.groups[1].enterAt).toBe('2026-11-02T03:30:01Z');
    expect(second.map((m) => m.enterAt)).toEqual(['2026-11-02T03:30:01Z', '2026-11-02T03:30:02Z']);
    await rt.close();
  });
});

describe('enter', () => {
  it('enters every member once at their instant, with the audience trigger', async () => {
    const l = loadAudience(audienceDoc());
    const { rt, ports, clock, lines } = await audienceRuntime([l], { profiles: PROFILES });
    const results = await runInOrder(ports, rt.engine, clock, l, '2026-12-03T16:00:00Z');
    expect(results).toEqual([{ entered: 3, ignored: {} }]);
    expect(lines.filter((x) => x.kind === 'entered').map((x) => [x.at, x.customerId])).toEqual([
      ['2026-12-03T16:00:00.000Z', 'c-1'],
      ['2026-12-03T16:00:00.000Z', 'c-10'],
      ['2026-12-03T16:00:00.000Z', 'c-3'],
    ]);
    expect(lines.filter((x) => x.kind === 'sent')).toHaveLength(3);
    await rt.close();
  });

  it('enters nobody twice when a batch is retried, and counts those it had entered', async () => {
    const l = loadAudience(audienceDoc());
    const { rt, ports, clock, lines } = await audienceRuntime([l], { profiles: PROFILES });
    await advanceTo(rt.engine, clock, Date.parse('2026-12-03T16:00:00Z'));
    const batch: RunBatch = {
      Items: ['c-1', 'c-3'].map((customerId) => ({ customerId, enterAt: '2026-12-03T16:00:00Z' })),
      BatchInput: { journey: 'newsletter', version: 1, runAt: '2026-12-03T16:00:00Z' },
    };
    expect(await enterBatch(ports, { op: 'enter', batch })).toEqual({ entered: 2, ignored: {} });
    expect(await enterBatch(ports, { op: 'enter', batch })).toEqual({ entered: 2, ignored: {} });
    await rt.engine.idle();
    expect(lines.filter((x) => x.kind === 'entered')).toHaveLength(2);
    expect(rt.engine.counters.executions).toBe(2);
    await rt.close();
  });

  it('applies entry rules across runs with ignored lines: limit, and already-active', async () => {
    const l = loadAudience(
      audienceDoc(
        { schedule: { start: '2026-12-03T16:00:00Z', repeat: 'P1D', end: '2026-12-10T00:00:00Z' } },
        {
          entry: { limit: 2 },
          start: 'hello',
          steps: {
            hello: { type: 'send', channel: 'email', template: 'hello', next: 'rest' },
            rest: { type: 'wait', for: 'PT36H', next: 'done' },
            done: { type: 'end' },
          },
        },
      ),
    );
    const { rt, ports, clock, lines } = await audienceRuntime([l], { profiles: [profile('c-1', { plan: 'pro' })] });
    const runs = ['2026-12-03T16:00:00Z', '2026-12-04T16:00:00Z', '2026-12-05T16:00:00Z', '2026-12-07T16:00:00Z'];
    const results = [];
    for (const runAt of runs) results.push((await runInOrder(ports, rt.engine, clock, l, runAt))[0]);
    // Day 2: still resting from day 1 (single). Day 3: day 1 ended, second entry. Day 5: the limit of 2.
    expect(results).toEqual([
      { entered: 1, ignored: {} },
      { entered: 0, ignored: { 'already-active': 1 } },
      { entered: 1, ignored: {} },
      { entered: 0, ignored: { limit: 1 } },
    ]);
    expect(lines.filter((x) => x.kind === 'ignored').map((x) => [x.at.slice(0, 10), x.reason])).toEqual([
      ['2026-12-04', 'already-active'],
      ['2026-12-07', 'limit'],
    ]);
    await rt.close();
  });

  it('stops a batch at a throttle and finishes it on the retry, starting each execution once', async () => {
    const l = loadAudience(audienceDoc());
    let allowed = 2;
    const throttled = (engine: StepFunctionsPort): StepFunctionsPort => ({
      ...engine,
      startExecution: async (p) => {
        if (allowed-- <= 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return engine.startExecution(p);
      },
    });
    const { rt, ports, clock, lines } = await audienceRuntime([l], { profiles: PROFILES, sfn: throttled });
    await advanceTo(rt.engine, clock, Date.parse('2026-12-03T16:00:00Z'));
    const batch: RunBatch = {
      Items: ['c-1', 'c-10', 'c-3'].map((customerId) => ({ customerId, enterAt: '2026-12-03T16:00:00Z' })),
      BatchInput: { journey: 'newsletter', version: 1, runAt: '2026-12-03T16:00:00Z' },
    };
    await expect(enterBatch(ports, { op: 'enter', batch })).rejects.toMatchObject({ name: 'ThrottlingException' });
    allowed = 10;
    expect(await enterBatch(ports, { op: 'enter', batch })).toEqual({ entered: 3, ignored: {} });
    await rt.engine.idle();
    expect(rt.engine.counters.executions).toBe(3);
    expect(lines.filter((x) => x.kind === 'entered').map((x) => x.customerId)).toEqual(['c-1', 'c-10', 'c-3']);
    await rt.close();
  });

  it('goes on after a throttle from the member it stopped at, not looking at those before again', async () => {
    const l = loadAudience(audienceDoc());
    let allowed = 1;
    const throttled = (engine: StepFunctionsPort): StepFunctionsPort => ({
      ...engine,
      startExecution: async (p) => {
        if (allowed-- <= 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return engine.startExecution(p);
      },
    });
    const { rt, ports, clock } = await audienceRuntime([l], { profiles: PROFILES, sfn: throttled });
    await advanceTo(rt.engine, clock, Date.parse('2026-12-03T16:00:00Z'));
    const batch: RunBatch = {
      Items: ['c-1', 'c-10', 'c-3'].map((customerId) => ({ customerId, enterAt: '2026-12-03T16:00:00Z' })),
      BatchInput: { journey: 'newsletter', version: 1, runAt: '2026-12-03T16:00:00Z' },
    };
    await expect(enterBatch(ports, { op: 'enter', batch })).rejects.toMatchObject({ name: 'ThrottlingException' });
    const read: string[] = [];
    const get = ports.deps.table.get.bind(ports.deps.table);
    ports.deps = {
      ...ports.deps,
      table: Object.assign(Object.create(ports.deps.table), {
        get: (pk: string, sk: string) => {
          read.push(pk);
          return get(pk, sk);
        },
      }),
    };
    allowed = 10;
    expect(await enterBatch(ports, { op: 'enter', batch })).toEqual({ entered: 3, ignored: {} });
    expect(read).not.toContain(keys.customer('c-1'));
    expect(read).toContain(keys.customer('c-10'));
    await rt.close();
  });

  it('enters the rest of a batch when one member fails, and fails the batch for its retry', async () => {
    const l = loadAudience(audienceDoc());
    const failing = (engine: StepFunctionsPort): StepFunctionsPort => ({
      ...engine,
      startExecution: async (p) => {
        if (JSON.parse(p.input).customerId === 'c-10')
          throw Object.assign(new Error('boom'), { name: 'ServiceUnavailable' });
        return engine.startExecution(p);
      },
    });
    const { rt, ports, clock } = await audienceRuntime([l], { profiles: PROFILES, sfn: failing });
    await advanceTo(rt.engine, clock, Date.parse('2026-12-03T16:00:00Z'));
    const batch: RunBatch = {
      Items: ['c-1', 'c-10', 'c-3'].map((customerId) => ({ customerId, enterAt: '2026-12-03T16:00:00Z' })),
      BatchInput: { journey: 'newsletter', version: 1, runAt: '2026-12-03T16:00:00Z' },
    };
    await expect(enterBatch(ports, { op: 'enter', batch })).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    await rt.engine.idle();
    expect(rt.engine.counters.executions).toBe(2);
    await rt.close();
  });
});
