/**
 * The shape of a Pinpoint journey as a graph, with the quirks of real exports settled before any
 * step is written: an activity with two types at once is read as its first one, an activity with
 * none ends the journey, a NextActivity that names no activity ends it there, an activity that
 * only passes participants on (a 0% holdout, a split with one path left) is skipped over, and
 * activities no path reaches are left out. Each of these is reported, never dropped silently.
 */
import { show } from '../../journey/schema';
import { ACTIVITY_TYPES, type Activity, type ActivityType, type JourneyDefinition } from './model';
import { pointer, type Report } from './report';

/** An edge: the activity a field names, and the pointer of that field. */
export interface Edge {
  target: string | undefined;
  at: string;
}

export interface JourneyGraph {
  /** The type each activity is read as; undefined when it has none. */
  typeOf: Map<string, ActivityType | undefined>;
  /** Activities that become no step: they pass participants on to this edge. */
  skip: Map<string, Edge>;
  /** Activities to write, in the order a walk from StartActivity meets them. */
  reachable: string[];
  /** Where an edge leads: an activity to write, or the end of the journey. */
  resolve(edge: Edge): string | undefined;
}

/** The edges out of an activity of a type. */
export function edgesOf(id: string, a: Activity, type: ActivityType | undefined): Edge[] {
  const at = (...path: (string | number)[]) => pointer('Activities', id, type ?? '', ...path);
  switch (type) {
    case undefined:
      return [];
    case 'EMAIL':
    case 'SMS':
    case 'PUSH':
    case 'CUSTOM':
    case 'ContactCenter':
    case 'Wait':
    case 'Holdout':
      return [{ target: a[type]?.NextActivity, at: at('NextActivity') }];
    case 'ConditionalSplit':
      return [
        { target: a.ConditionalSplit?.TrueActivity, at: at('TrueActivity') },
        { target: a.ConditionalSplit?.FalseActivity, at: at('FalseActivity') },
      ];
    case 'MultiCondition':
      return [
        ...(a.MultiCondition?.Branches ?? []).map((b, i) => ({
          target: b.NextActivity,
          at: at('Branches', i, 'NextActivity'),
        })),
        { target: a.MultiCondition?.DefaultActivity, at: at('DefaultActivity') },
      ];
    case 'RandomSplit':
      return (a.RandomSplit?.Branches ?? []).map((b, i) => ({
        target: b.NextActivity,
        at: at('Branches', i, 'NextActivity'),
      }));
  }
}

/** Settle the graph of a definition whose StartActivity names an activity (checked before). */
export function journeyGraph(def: JourneyDefinition, report: Report): JourneyGraph {
  const activities = def.Activities ?? {};
  const typeOf = new Map<string, ActivityType | undefined>();
  for (const [id, a] of Object.entries(activities)) {
    const types = ACTIVITY_TYPES.filter((t) => a[t] !== undefined);
    typeOf.set(id, types[0]);
    if (types.length === 0)
      report.todo(
        pointer('Activities', id),
        `activity ${show(id)} has no type (none of ${ACTIVITY_TYPES.join(', ')}): participants end the journey there`,
      );
    else if (types.length > 1)
      report.todo(
        pointer('Activities', id),
        `activity ${show(id)} is ${types.join(' and ')} at once; Pinpoint runs one type per activity: imported as ${types[0]}, the ${types.slice(1).join(' and ')} part is not imported`,
      );
  }

  const skip = new Map<string, Edge>();
  for (const [id, a] of Object.entries(activities)) {
    const type = typeOf.get(id);
    const at = (...path: (string | number)[]) => pointer('Activities', id, type ?? '', ...path);
    if (type === 'Holdout' && a.Holdout?.Percentage === 0) {
      report.note(at('Percentage'), 'a holdout of 0% holds no one out: participants go straight on');
      skip.set(id, { target: a.Holdout.NextActivity, at: at('NextActivity') });
    }
    if (type === 'MultiCondition' && !a.MultiCondition?.Branches?.length) {
      report.todo(at('Branches'), 'the multivariate split has no branches: everyone takes DefaultActivity');
      skip.set(id, { target: a.MultiCondition?.DefaultActivity, at: at('DefaultActivity') });
    }
    if (type === 'RandomSplit') {
      const paths = livePaths(id, a, report);
      if (paths.length === 0) {
        report.todo(
          at('Branches'),
          'the random split has no branch with a percentage above 0: participants end the journey there',
        );
        skip.set(id, { target: undefined, at: at('Branches') });
      } else if (paths.length === 1) {
        report.note(at('Branches'), 'the random split has one branch left: everyone takes it');
        skip.set(id, { target: paths[0].NextActivity, at: at('Branches', paths[0].index, 'NextActivity') });
      }
    }
  }

  const reported = new Set<string>();
  const resolve = (edge: Edge): string | undefined => {
    const seen = new Set<string>();
    let current = edge;
    for (;;) {
      const target = current.target;
      if (target === undefined || target === '') return undefined;
      if (!(target in activities)) {
        if (!reported.has(current.at)) {
          reported.add(current.at);
          report.todo(
            current.at,
            `names activity ${show(target)}, which does not exist: participants end the journey there`,
          );
        }
        return undefined;
      }
      const next = skip.get(target);
      if (!next) return target;
      if (seen.has(target)) {
        report.todo(
          current.at,
          `activities ${[...seen].join(', ')} only pass participants to each other: participants end the journey there`,
        );
        return undefined;
      }
      seen.add(target);
      current = next;
    }
  };

  const reachable: string[] = [];
  const start = resolve({ target: def.StartActivity, at: '/StartActivity' });
  const todo = start === undefined ? [] : [start];
  const seen = new Set(todo);
  while (todo.length) {
    const id = todo.shift()!;
    reachable.push(id);
    for (const edge of edgesOf(id, activities[id], typeOf.get(id))) {
      const to = resolve(edge);
      if (to !== undefined && !seen.has(to)) {
        seen.add(to);
        todo.push(to);
      }
    }
  }
  for (const id of Object.keys(activities)) {
    if (!seen.has(id) && !skip.has(id))
      report.todo(
        pointer('Activities', id),
        `activity ${show(id)} is not reachable from StartActivity ${show(def.StartActivity)}: not imported`,
      );
  }
  return { typeOf, skip, reachable, resolve };
}

/** A random split's branches that take participants (a percentage above 0), with their index. */
export function livePaths(
  id: string,
  a: Activity,
  report?: Report,
): { Percentage: number; NextActivity?: string; index: number }[] {
  const out: { Percentage: number; NextActivity?: string; index: number }[] = [];
  (a.RandomSplit?.Branches ?? []).forEach((b, index) => {
    const at = pointer('Activities', id, 'RandomSplit', 'Branches', index, 'Percentage');
    if (b.Percentage === undefined)
      report?.todo(at, 'the branch has no Percentage: no participant takes it; not imported');
    else if (b.Percentage === 0) report?.note(at, 'the branch takes 0% of participants: not imported');
    else out.push({ Percentage: b.Percentage, NextActivity: b.NextActivity, index });
  });
  return out;
}
