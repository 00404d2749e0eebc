/**
 * A journey as a diagram a marketer can read: steps with what they do, edges labelled with the
 * condition, event or timeout that takes them, and escalation and exit rules. Rendered as
 * Mermaid (graph-mermaid.ts) or SVG (graph-svg.ts).
 */
import { describeSchedule } from '../audience/schedule';
import { comparisonOperator } from './expressions';
import { assertNever, type Condition, type Journey, type Step } from './schema';
import { channelOrder } from './steps';

export type NodeKind =
  | 'start'
  | 'wait'
  | 'send'
  | 'waitFor'
  | 'branch'
  | 'split'
  | 'handoff'
  | 'action'
  | 'update'
  | 'end'
  | 'rule';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  title: string;
  detail?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  style: 'normal' | 'alternate' | 'escalation';
}

export interface JourneyGraph {
  title: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const START_NODE = '__start';

/** The diagram model of a valid journey. */
export function journeyGraph(journey: Journey): JourneyGraph {
  const nodes: GraphNode[] = [{ id: START_NODE, kind: 'start', ...startOf(journey) }];
  const edges: GraphEdge[] = [{ from: START_NODE, to: journey.start, style: 'normal' }];
  for (const [id, step] of Object.entries(journey.steps)) {
    nodes.push({ id, kind: step.type, title: id, detail: describe(step) });
    edges.push(...edgesOf(id, step));
  }
  // A split's holdout exit is an end of its own.
  for (const e of edges) {
    if (e.to.endsWith('.holdout')) nodes.push({ id: e.to, kind: 'end', title: 'holdout', detail: 'exit: holdout' });
  }
  for (const rule of journey.escalation ?? []) {
    const ruleId = `__escalation_${rule.id}`;
    const when = Object.entries(rule.when)
      .map(([k, v]) => `${k} ≥ ${v}`)
      .join(' and ');
    nodes.push({ id: ruleId, kind: 'rule', title: `escalation ${rule.id}`, detail: when });
    edges.push({ from: ruleId, to: rule.goto, label: 'any step', style: 'escalation' });
  }
  const exits = [
    ...(journey.goal ? [`goal: ${journey.goal.event}`] : []),
    ...(journey.exitOn ?? []).map((e) => `exit on ${e.event}`),
    ...(journey.settings?.maxDuration ? [`ends after ${journey.settings.maxDuration}`] : []),
  ];
  if (exits.length) nodes.push({ id: '__exits', kind: 'rule', title: 'ends early', detail: exits.join('; ') });
  return { title: `${journey.name} (${journey.id} v${journey.version})`, nodes, edges };
}

function describe(step: Step): string {
  switch (step.type) {
    case 'wait':
      if (step.for !== undefined) return `wait ${step.for}`;
      if (step.untilLocalTime !== undefined) return `wait until ${step.untilLocalTime} local time`;
      return `wait until ${step.until}`;
    case 'send':
      return `send ${step.template} by ${channelOrder(step).join(' → ')}${step.purpose === 'transactional' ? ' (transactional)' : ''}`;
    case 'waitFor':
      return `wait for ${step.event}${
        step.match
          ? ` where ${Object.entries(step.match)
              .map(([k, v]) => `${k} = ${String(v)}`)
              .join(', ')}`
          : ''
      }, up to ${step.timeout}`;
    case 'branch':
      return 'branch';
    case 'split':
      return `split ${step.paths.map((p) => p.weight).join(' / ')}`;
    case 'handoff':
      return `hand off to ${step.to} with ${step.carry.join(', ') || 'nothing'}`;
    case 'action':
      return `call ${step.target}`;
    case 'update':
      return `set ${Object.keys(step.set).join(', ')}`;
    case 'end':
      return step.reason ? `end: ${step.reason}` : 'end';
    default:
      return assertNever(step);
  }
}

function edgesOf(id: string, step: Step): GraphEdge[] {
  switch (step.type) {
    case 'wait':
    case 'update':
    case 'handoff':
      return [{ from: id, to: step.next, style: 'normal' }];
    case 'send':
      return [
        { from: id, to: step.next, style: 'normal' },
        ...(step.onSuppressed
          ? [{ from: id, to: step.onSuppressed, label: 'suppressed', style: 'alternate' as const }]
          : []),
      ];
    case 'waitFor':
      return [
        { from: id, to: step.next, label: step.event, style: 'normal' },
        { from: id, to: step.onTimeout, label: `after ${step.timeout}`, style: 'alternate' },
      ];
    case 'branch':
      return [
        ...step.cases.map((c) => ({ from: id, to: c.next, label: conditionText(c.if), style: 'normal' as const })),
        { from: id, to: step.default, label: 'otherwise', style: 'alternate' },
      ];
    case 'split': {
      const total = step.paths.reduce((s, p) => s + p.weight, 0);
      return step.paths.map((p) => {
        const share = `${Math.round((p.weight / total) * 100)}%`;
        return 'next' in p
          ? { from: id, to: p.next, label: share, style: 'normal' as const }
          : { from: id, to: `${id}.holdout`, label: `${share} holdout`, style: 'alternate' as const };
      });
    }
    case 'action':
      return [
        { from: id, to: step.next, style: 'normal' },
        ...(step.onError ? [{ from: id, to: step.onError, label: 'error', style: 'alternate' as const }] : []),
      ];
    case 'end':
      return [];
    default:
      return assertNever(step);
  }
}

/** A condition in words: `value ≥ 20 and tier = gold`. */
/** What starts the journey: its trigger event, or its audience and schedule. */
function startOf(journey: Journey): { title: string; detail?: string } {
  const { trigger, audience } = journey;
  if (trigger)
    return { title: `when ${trigger.event}`, detail: trigger.where ? conditionText(trigger.where) : undefined };
  if (!audience) return { title: 'start' };
  const segment = 'where' in audience.segment ? conditionText(audience.segment.where) : audience.segment.file;
  const rate = audience.ratePerSecond ? `, ${audience.ratePerSecond}/s` : '';
  return { title: `audience ${segment}`, detail: `${describeSchedule(audience.schedule)}${rate}` };
}

export function conditionText(c: Condition): string {
  if ('all' in c) return c.all.map(conditionText).join(' and ') || 'always';
  if ('any' in c) return c.any.map(conditionText).join(' or ') || 'never';
  if ('not' in c) return `not (${conditionText(c.not)})`;
  const found = comparisonOperator(c);
  if ('error' in found) return c.path;
  const symbols: Record<string, string> = {
    eq: '=',
    ne: '≠',
    gt: '>',
    gte: '≥',
    lt: '<',
    lte: '≤',
    contains: 'contains',
    startsWith: 'starts with',
  };
  const v = c[found.op];
  if (found.op === 'in') return `${c.path} in ${(v as unknown[]).join(', ')}`;
  if (found.op === 'exists') return v ? `${c.path} exists` : `no ${c.path}`;
  return `${c.path} ${symbols[found.op]} ${String(v)}`;
}
