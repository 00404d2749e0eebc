/**
 * localTime reads offsets from a cache by 15-minute span (lib/core/zoned-time.ts): it must read
 * exactly what Intl's formatter says, at any instant, in zones with daylight saving, half- and
 * quarter-hour offsets, and right around their changes.
 */
import fc from 'fast-check';
import { localTime } from '../../lib/core/zoned-time';

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe', // a 30-minute daylight-saving change
  'Asia/Kathmandu', // +05:45
  'America/St_Johns', // -03:30 with daylight saving
  'Pacific/Chatham', // +12:45 / +13:45
  'Asia/Tehran',
];

/** What Intl's formatter reads, field by field (the reference). */
function reference(ms: number, zone: string) {
  const parts: Record<string, number> = {};
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

describe('localTime', () => {
  it('reads what the formatter reads at any instant from 2000 to 2040, twice (cached or not)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...ZONES),
        (ms, zone) => {
          expect(localTime(ms, zone)).toEqual(reference(ms, zone));
          expect(localTime(ms, zone)).toEqual(reference(ms, zone));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads every second around daylight-saving changes right, the span of the change included', () => {
    const changes = [
      ['America/New_York', Date.UTC(2026, 2, 8, 7)], // 02:00 EST -> 03:00 EDT
      ['America/New_York', Date.UTC(2026, 10, 1, 6)], // 02:00 EDT -> 01:00 EST
      ['Europe/London', Date.UTC(2026, 2, 29, 1)],
      ['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 15)], // 02:00 +11 -> 01:30 +10:30
      ['America/St_Johns', Date.UTC(2026, 2, 8, 5, 30)],
      ['Pacific/Chatham', Date.UTC(2026, 3, 4, 14)],
    ] as const;
    for (const [zone, at] of changes) {
      for (let ms = at - 20 * 60_000; ms <= at + 20 * 60_000; ms += 7_000) {
        expect([zone, ms, localTime(ms, zone)]).toEqual([zone, ms, reference(ms, zone)]);
      }
    }
  });
});
