/**
 * What a journey reads of the data it carries (SPEC §3 paths), so that an execution carries only
 * that: Step Functions keeps every state's input and output in the execution history for 90 days,
 * where erasure cannot reach, so an event field no step reads must never enter it.
 *
 * A `Keep` names the fields to carry, as dotted paths relative to the carried object (an event
 * envelope, or the trigger): `values` are kept as they are, `present` only as `true` (an `exists`
 * test needs no more). No Keep at all means the whole object: a step reads it whole.
 */
import { conditionComparisons, parseExpr, type Root } from './expressions';
import { isUntilLiteral } from './instant';
import { assertNever, type Condition, type Journey, type ValueExpr } from './schema';

export interface Keep {
  values: string[];
  present: string[];
}

interface Read {
  root: Root;
  segments: string[];
  /** Read by an `exists` test: whether it is there matters, not what it is. */
  presence: boolean;
}

/** Every path the journey reads once an instance runs: in its states, and in the handlers they call with instance data. */
export function runReads(journey: Journey): Read[] {
  const reads: Read[] = [];
  const value = (v: ValueExpr | undefined) => {
    if (v === undefined) return;
    const e = parseExpr(v);
    if (e.kind === 'path') reads.push({ root: e.root, segments: e.segments, presence: false });
  };
  const condition = (c: Condition) => {
    for (const { comparison } of conditionComparisons(c)) {
      const e = parseExpr(comparison.path);
      if (e.kind === 'path')
        reads.push({ root: e.root, segments: e.segments, presence: comparison.exists !== undefined });
    }
  };
  for (const step of Object.values(journey.steps)) {
    switch (step.type) {
      case 'wait':
        if (step.until !== undefined && !isUntilLiteral(step.until)) value(step.until);
        break;
      case 'waitFor':
        for (const v of Object.values(step.match ?? {})) value(v);
        break;
      case 'branch':
        for (const c of step.cases) condition(c.if);
        break;
      case 'handoff':
        value(step.reason);
        break;
      case 'action':
        for (const v of Object.values(step.payload ?? {})) value(v);
        break;
      case 'update':
        for (const v of Object.values(step.set)) value(v);
        break;
      case 'send':
      case 'split':
      case 'end':
        break;
      default:
        assertNever(step);
    }
  }
  return reads;
}

const messageReadsOf = new WeakMap<Journey, Set<string>>();

/**
 * The send steps whose message a running instance reads (`messages.<step>.*`): only those keep a
 * pointer to it. Worked out once per journey document: every send asks.
 */
export function messageReads(journey: Journey): Set<string> {
  let reads = messageReadsOf.get(journey);
  if (!reads) {
    reads = new Set(runReads(journey).flatMap((r) => (r.root === 'messages' ? [r.segments[0]] : [])));
    messageReadsOf.set(journey, reads);
  }
  return reads;
}

/**
 * What to keep of the event a waitFor step receives: the fields of `events.<step>` the journey
 * reads; undefined when it reads the event whole. An `exists` test of the event itself needs
 * nothing but its arrival, which the kept (maybe empty) object shows.
 */
export function eventKeep(journey: Journey, step: string): Keep | undefined {
  const reads = runReads(journey).filter((r) => r.root === 'events' && r.segments[0] === step);
  const inside = reads.map((r) => ({ ...r, segments: r.segments.slice(1) }));
  if (inside.some((r) => r.segments.length === 0 && !r.presence)) return undefined;
  return keepOf(inside.filter((r) => r.segments.length > 0));
}

/**
 * What to keep of the trigger: the `trigger.*` paths read once an instance runs, and the ones its
 * templates read (`templatePaths`, each kept whole; undefined when unknown). Entry rules (`where`,
 * `dedupeBy`, `context`, goal and exit matches) are evaluated before the execution starts, on the
 * whole trigger, and need nothing kept.
 */
export function triggerKeep(journey: Journey, templatePaths: string[][] | undefined): Keep | undefined {
  if (templatePaths === undefined) return undefined;
  const reads = [
    ...runReads(journey)
      .filter((r) => r.root === 'trigger')
      .map((r) => ({ segments: r.segments, presence: r.presence })),
    ...templatePaths.map((segments) => ({ segments, presence: false })),
  ];
  if (reads.some((r) => r.segments.length === 0 && !r.presence)) return undefined;
  return keepOf(reads.filter((r) => r.segments.length > 0));
}

function keepOf(reads: { segments: string[]; presence: boolean }[]): Keep {
  const values = [...new Set(reads.filter((r) => !r.presence).map((r) => r.segments.join('.')))].sort();
  const present = [...new Set(reads.filter((r) => r.presence).map((r) => r.segments.join('.')))]
    .filter((p) => !values.includes(p))
    .sort();
  return { values, present };
}
