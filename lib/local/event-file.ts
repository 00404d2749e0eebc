/**
 * The events file of `baton simulate`, streamed. A first pass validates every line (a problem is
 * reported by line, and nothing runs, as when the file was read whole) and notes whether the events
 * are in time order. The run then reads the file again:
 * - in time order (what a backtest export usually is): a line at a time, in constant memory;
 * - otherwise: the time and position of every line are noted (20 bytes an event, never the events
 *   themselves), sorted, and each line read back by its position.
 * Either way the events come out in time order, ties in file order, exactly as a sort of the whole
 * file would give them. A JSON array file is read whole, as before.
 */

import { statSync } from 'node:fs';
import type { Envelope } from '../core/envelope';
import { LineReader } from './file-lines';
import { type InputProblem, parseLine, readEvents, replayedEvent } from './inputs';
import { InputChangedError, isJsonArrayFile, jsonlRecords, ProblemList } from './record-stream';

/** What the first pass learned of an events file. */
export interface CheckedEvents {
  file: string;
  problems: ProblemList;
  /** Valid events. */
  count: number;
  /** The earliest event time (ms), if there is an event. */
  first?: number;
  /** Whether every event's time is at or after the one before it in the file. */
  inOrder: boolean;
  /** A JSON array, read whole. */
  array: boolean;
}

/** How far a pass has gone, from 0 to 1: the share of the file read (or of the events replayed). */
export type PassProgress = (fraction: number) => void;

/** Validate every event of a file, a line at a time. */
export async function checkEventFile(file: string, opts: { onProgress?: PassProgress } = {}): Promise<CheckedEvents> {
  const problems = new ProblemList();
  if (isJsonArrayFile(file)) {
    const { events, problems: found } = readEvents(file);
    problems.add(found);
    const times = events.map((e) => Date.parse(e.time));
    const inOrder = times.every((t, i) => i === 0 || t >= times[i - 1]);
    const first = times.reduce<number | undefined>((m, t) => (m === undefined || t < m ? t : m), undefined);
    return { file, problems, count: events.length, first, inOrder, array: true };
  }
  const bytes = statSync(file).size;
  let count = 0;
  let first: number | undefined;
  let last = Number.NEGATIVE_INFINITY;
  let inOrder = true;
  const onRead = opts.onProgress && ((read: number) => opts.onProgress?.(bytes ? read / bytes : 1));
  for await (const batch of jsonlRecords(file, replayedEvent, { onProblems: (p) => problems.add(p), onRead })) {
    for (const { value } of batch) {
      const at = Date.parse(value.time);
      count++;
      first = first === undefined ? at : Math.min(first, at);
      if (at < last) inOrder = false;
      last = Math.max(last, at);
    }
  }
  return { file, problems, count, first, inOrder, array: false };
}

/** The events of a checked file (no problems), in time order; ties keep their order in the file. */
export async function* replayEvents(checked: CheckedEvents, opts: { onProgress?: PassProgress } = {}) {
  if (checked.problems.count) throw new Error(`${checked.file} has problems: it cannot be replayed`);
  if (checked.array) yield* inTimeOrder(readEvents(checked.file).events);
  else if (checked.inOrder) yield* streamed(checked.file, opts.onProgress);
  else yield* byPosition(checked, opts.onProgress);
}

function changed(problems: InputProblem[]): never {
  throw new InputChangedError(problems);
}

/** A file already in time order, a line at a time. */
async function* streamed(file: string, onProgress: PassProgress | undefined): AsyncGenerator<Envelope> {
  const bytes = statSync(file).size;
  const onRead = onProgress && ((read: number) => onProgress(bytes ? read / bytes : 1));
  let last = Number.NEGATIVE_INFINITY;
  for await (const batch of jsonlRecords(file, replayedEvent, { onProblems: changed, onRead })) {
    for (const { value, line } of batch) {
      const at = Date.parse(value.time);
      if (at < last)
        changed([{ file, line: line.number, message: `/time: ${value.time} is earlier than the event before it` }]);
      last = at;
      yield value;
    }
  }
}

/** A file out of time order: every line's time and position, sorted, then each line read back. */
async function* byPosition(checked: CheckedEvents, onProgress: PassProgress | undefined): AsyncGenerator<Envelope> {
  const { file, count } = checked;
  const times = new Float64Array(count);
  const offsets = new Float64Array(count);
  const lengths = new Uint32Array(count);
  const lines = new Uint32Array(count);
  let n = 0;
  for await (const batch of jsonlRecords(file, replayedEvent, { onProblems: changed })) {
    for (const { value, line } of batch) {
      if (n === count) changed([{ file, line: line.number, message: 'more events than when the file was checked' }]);
      times[n] = Date.parse(value.time);
      offsets[n] = line.offset;
      lengths[n] = line.bytes;
      lines[n] = line.number;
      n++;
    }
  }
  const order = new Uint32Array(n).map((_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
  const reader = new LineReader(file);
  try {
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const r = parseLine(file, lines[i], reader.read(offsets[i], lengths[i]), replayedEvent);
      yield 'value' in r ? r.value : changed(r.problems);
      onProgress?.((k + 1) / n);
    }
  } finally {
    reader.close();
  }
}

/** Events in time order, ties in their given order. */
export function inTimeOrder(events: readonly Envelope[]): Envelope[] {
  return events
    .map((event, i) => ({ event, i, at: Date.parse(event.time) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((e) => e.event);
}
