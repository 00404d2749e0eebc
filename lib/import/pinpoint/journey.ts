/**
 * One Pinpoint journey as one Baton journey document: its graph settled (graph.ts), each
 * activity's steps (activities.ts), how participants enter (start.ts), its limits and quiet time
 * (settings.ts); then the document is validated as `baton validate` would (templates aside), and
 * whatever keeps it from validating is reported too.
 */
import { journeySchema, type Step, show } from '../../journey/schema';
import { validateJourney } from '../../journey/validate';
import { activitySteps, type TemplateUse } from './activities';
import type { ConditionContext } from './conditions';
import { journeyGraph } from './graph';
import type { ActivityType } from './model';
import { type IdAllocator, stepIds } from './naming';
import type { SourceJourney } from './read';
import { type Place, pointer, Report } from './report';
import type { Segment } from './resources';
import { entryOf, scheduleZone, settingsOf } from './settings';
import { startOf } from './start';

/** Which step an activity became. */
export interface StepMapEntry {
  activity: string;
  type?: ActivityType;
  step: string;
  description?: string;
}

export interface BuiltJourney {
  id: string;
  /** The journey document (SPEC §3, with `audience` of SPEC §6 for segment journeys). */
  doc: Record<string, unknown>;
  report: Report;
  steps: StepMapEntry[];
}

export interface JourneyEnv {
  journeyIds: IdAllocator;
  template(use: TemplateUse, journeyId: string, report: Report): string;
  destination(deliveryUri: string): string;
  segment(id: string): { segment: Segment; place: Place } | undefined;
}

/** Build the Baton journey of a readable definition (definitionProblems found none). */
export function buildJourney(src: SourceJourney, env: JourneyEnv): BuiltJourney {
  const def = src.definition;
  const report = new Report(src);
  const id = env.journeyIds.allocate(def.Name);
  const graph = journeyGraph(def, report);
  const ids = stepIds();
  const stepOf = new Map<string, string>();
  for (const activity of graph.reachable) stepOf.set(activity, ids.allocate(activity));
  let end: string | undefined;
  const endStep = () => {
    end ??= ids.allocate('end');
    return end;
  };
  const activities = def.Activities ?? {};
  const conditions: ConditionContext = {
    report,
    segment: env.segment,
    messageStep(activityId) {
      const a = activities[activityId];
      if (!a) return { why: `names activity ${show(activityId)}, which does not exist` };
      const type = graph.typeOf.get(activityId);
      if (type !== 'EMAIL' && type !== 'SMS' && type !== 'PUSH')
        return {
          why: `names activity ${show(activityId)}, a ${type ?? 'typeless'} activity, not an email, SMS or push message`,
        };
      const step = stepOf.get(activityId);
      if (!step) return { why: `names activity ${show(activityId)}, which is not part of the imported journey` };
      return { step, channel: type === 'EMAIL' ? 'email' : type === 'SMS' ? 'sms' : 'push' };
    },
  };
  const steps: Record<string, Step> = {};
  for (const activity of graph.reachable) {
    Object.assign(
      steps,
      activitySteps(activity, {
        def,
        report,
        graph,
        stepOf,
        ids,
        end: endStep,
        template: (use) => env.template(use, id, report),
        destination: env.destination,
        conditions,
      }),
    );
  }
  const first = graph.resolve({ target: def.StartActivity, at: '/StartActivity' });
  const start = first === undefined ? endStep() : stepOf.get(first)!;
  if (end !== undefined) steps[end] = { type: 'end' };

  const zone = scheduleZone(def, report);
  const doc: Record<string, unknown> = { id, name: def.Name.slice(0, 200), version: 1, description: describe(src) };
  Object.assign(doc, startOf(def, conditions));
  const entry = entryOf(def, report);
  if (entry) doc.entry = entry;
  const settings = settingsOf(def, zone, report);
  if (settings) doc.settings = settings;
  doc.start = start;
  doc.steps = steps;
  if (def.tags && Object.keys(def.tags).length)
    report.note('/tags', 'the API says journey tags are not used: not imported');
  if (def.State !== undefined && def.State !== 'ACTIVE' && def.State !== 'DRAFT')
    report.note('/State', `the journey was ${def.State} in Pinpoint; the Baton journey runs once it is deployed`);
  selfCheck(doc, report);
  return {
    id,
    doc,
    report,
    steps: graph.reachable.map((activity) => ({
      activity,
      type: graph.typeOf.get(activity),
      step: stepOf.get(activity)!,
      description: activities[activity].Description,
    })),
  };
}

function describe(src: SourceJourney): string {
  const def = src.definition;
  const parts = [`Imported from Amazon Pinpoint journey ${JSON.stringify(def.Name)}`];
  const ids = [def.Id && `id ${def.Id}`, def.ApplicationId && `application ${def.ApplicationId}`].filter(Boolean);
  if (ids.length) parts.push(` (${ids.join(', ')})`);
  if (def.LastModifiedDate) parts.push(`, last modified ${def.LastModifiedDate}`);
  parts.push('.');
  if (def.StartCondition?.Description) parts.push(` Start: ${def.StartCondition.Description}`);
  return parts.join('');
}

/** Validate the document as baton validate would, templates aside; report what keeps it from validating. */
function selfCheck(doc: Record<string, unknown>, report: Report): void {
  let checked = doc;
  if ('audience' in doc && !('audience' in journeySchema.shape)) {
    report.todo(
      pointer('StartCondition', 'SegmentStartCondition'),
      'a segment journey becomes an audience journey (SPEC §6), which this Baton does not run yet: the journey is written for it and validates once audience journeys land',
    );
    const { audience: _audience, ...rest } = doc;
    checked = { ...rest, trigger: { event: 'audience.run' } };
  }
  const result = validateJourney(checked, { templateExists: () => true });
  if (result.ok) return;
  for (const p of result.problems)
    report.todo('', `the written journey does not validate at ${p.pointer || '/'}: ${p.message}; fix it by hand`);
}
