/**
 * The `list` op of a run (SPEC §6, ARCHITECTURE.md decision 7): decide the members now, give each
 * the instant they enter, and write them as JSONL member files, one per group of members who
 * enter from the same instant, for the run's Map to read in batches. Idempotent: a retry writes
 * the same files again (with membership as it is then).
 *
 * With `ratePerSecond` R, the i-th member of a group enters at the group's instant + floor(i / R)
 * seconds, and a group never shares a second with the one before it (it starts, at the earliest,
 * the second after that one's last), so that at most R members enter in any second of the run and
 * a batch of R members is exactly one second of it.
 */
import { iso } from '../core/timeline';
import { keys } from '../store/keys';
import { type Member, segmentMembers } from './members';
import { type AudiencePorts, versionOf } from './ports';
import { memberFileKey } from './run-identity';
import { formatInstant, memberInstant, parseWall } from './schedule';

export interface ListInput {
  op: 'list';
  journey: string;
  version: number;
  runAt: string;
}

/** One member file: members who enter from `enterAt` on. */
export interface MemberGroup {
  /** UTC, RFC 3339 with seconds: what the run's Wait reads. */
  enterAt: string;
  key: string;
  count: number;
}

export interface ListResult {
  bucket: string;
  /** In the order they enter. */
  groups: MemberGroup[];
}

/** One line of a member file. */
export interface MemberLine {
  customerId: string;
  enterAt: string;
}

/** List a run's members into member files; their groups, in time order. */
export async function listRun(ports: AudiencePorts, input: ListInput): Promise<ListResult> {
  const { entry, segmentFile } = versionOf(ports, input.journey, input.version);
  const { journey } = entry;
  const audience = journey.audience!;
  const local = parseWall(input.runAt) !== undefined;
  const { members, badLines } = await segmentMembers(ports.deps.table, audience.segment, {
    zones: local,
    segmentFile,
  });
  const zone = journey.settings?.timezone ?? 'UTC';
  const groups = paced(groupByInstant(members, input.runAt, local ? zone : undefined), audience.ratePerSecond);
  const written: MemberGroup[] = [];
  for (const [index, group] of groups.entries()) {
    const key = memberFileKey(journey.id, journey.version, input.runAt, index);
    const text = group.lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    await ports.objects.put(ports.bucket, key, text);
    written.push({ enterAt: formatInstant(group.at), key, count: group.lines.length });
  }
  await ports.deps.table.update(keys.audience(journey.id), keys.audienceRun(input.runAt), {
    set: {
      version: journey.version,
      members: members.length,
      groups: written.length,
      firstEnterAt: written[0]?.enterAt,
      listedAt: iso(ports.deps.clock.now()),
      ...(badLines ? { badLines } : {}),
    },
  });
  if (badLines)
    ports.deps.log.warn('a segment file has lines without a customer id; they were left out', {
      journey: journey.id,
      runAt: input.runAt,
      badLines,
    });
  return { bucket: ports.bucket, groups: written };
}

interface Group {
  at: number;
  lines: MemberLine[];
}

/** Members by the instant they enter (one instant for a UTC run; each member's own for localTime), in time order. */
function groupByInstant(members: Member[], runAt: string, zone: string | undefined): { at: number; ids: string[] }[] {
  const byInstant = new Map<number, string[]>();
  for (const m of members) {
    const at = memberInstant(runAt, zone === undefined ? 'UTC' : (m.zone ?? zone));
    const ids = byInstant.get(at);
    if (ids) ids.push(m.customerId);
    else byInstant.set(at, [m.customerId]);
  }
  return [...byInstant.entries()].sort((a, b) => a[0] - b[0]).map(([at, ids]) => ({ at, ids }));
}

/** Each member's entry instant, spread at `rate` a second when there is one (see the module comment). */
function paced(groups: { at: number; ids: string[] }[], rate: number | undefined): Group[] {
  let free = Number.NEGATIVE_INFINITY;
  return groups.map(({ at, ids }) => {
    if (rate === undefined) {
      const enterAt = formatInstant(at);
      return { at, lines: ids.map((customerId) => ({ customerId, enterAt })) };
    }
    const start = Math.max(at, free);
    free = start + Math.ceil(ids.length / rate) * 1000;
    return {
      at: start,
      lines: ids.map((customerId, i) => ({ customerId, enterAt: formatInstant(start + Math.floor(i / rate) * 1000) })),
    };
  });
}
