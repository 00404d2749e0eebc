/** What `baton dev` prints when it starts: where it listens, the engine's time and speed, the seeding. */
import { assertNever } from '../journey/schema';
import type { ClockStart } from './continuing-clock';
import type { SeedOutcome } from './seed';

export interface BannerInput {
  port: number;
  journeyIds: string[];
  dataDir: string;
  speed: number;
  clockStart: ClockStart;
  seed: SeedOutcome;
  /** The --profiles file, when one was given. */
  profilesFile?: string;
}

/** A duration for people: the two largest units, like "9 days 2 h" or "5 min" (or "36 ms"). */
export function humanDuration(ms: number): string {
  if (Math.abs(ms) < 1000) return `${Math.round(Math.abs(ms))} ms`;
  const units: [string, number][] = [
    ['days', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = Math.round(Math.abs(ms) / 1000) * 1000;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n && parts.length < 2) parts.push(`${n} ${n === 1 && name === 'days' ? 'day' : name}`);
    rest -= n * size;
  }
  return parts.join(' ') || '0 s';
}

function speedText(speed: number): string {
  if (speed === 1) return 'real speed';
  if (speed > 1) return `x${speed}: an hour passes in ${humanDuration(3_600_000 / speed)}`;
  return `x${speed}: an hour takes ${humanDuration(3_600_000 / speed)}`;
}

/** Lines for stdout, and notes for stderr (what was set aside and why). */
export function devBanner(b: BannerInput): { lines: string[]; notes: string[] } {
  const url = `http://127.0.0.1:${b.port}`;
  const { engineTime, aheadMs } = b.clockStart;
  // Less than a minute ahead is a restart's lease, not something to explain.
  const ahead =
    aheadMs >= 60_000
      ? `, ${humanDuration(aheadMs)} ahead of real time (carried over from this data dir's last run; --reset-clock starts over at real time)`
      : '';
  const lines = [
    `Baton dev on ${url} — ${b.journeyIds.length} journeys (${b.journeyIds.join(', ')}), data in ${b.dataDir}${b.speed !== 1 ? `, clock x${b.speed}` : ''}`,
    `Console: ${url}/`,
    `Engine time: ${new Date(engineTime).toISOString()} (${speedText(b.speed)})${ahead}`,
  ];
  const notes: string[] = [];
  switch (b.seed.kind) {
    case 'seeded':
      if (b.profilesFile)
        lines.push(`Profiles: ${b.seed.profiles} loaded from ${b.profilesFile} into the new data dir`);
      break;
    case 'ignored':
      notes.push(
        `note: --profiles ${b.profilesFile ?? ''} ignored: ${b.dataDir} already holds data, so its consent changes and erasures stand; a new --data-dir starts from the profiles`,
      );
      break;
    case 'kept':
      break;
    default:
      assertNever(b.seed);
  }
  return { lines, notes };
}
