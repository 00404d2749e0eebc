/**
 * Each Pinpoint activity as Baton steps (SPEC §3): EMAIL, SMS and PUSH → `send`; CUSTOM → `action`
 * to a destination named after its Lambda or URL; Wait → `wait`; ConditionalSplit and
 * MultiCondition → `branch`, after a `wait` when they evaluate later; RandomSplit → `split`;
 * Holdout → `split` with a holdout exit; ContactCenter → `handoff` to phone.
 */
import type { Channel, Condition, Step } from '../../journey/schema';
import { assertNever, show } from '../../journey/schema';
import { type ConditionContext, simpleCondition, unmappedCondition } from './conditions';
import type { Edge, JourneyGraph } from './graph';
import { livePaths } from './graph';
import type { Activity, JourneyDefinition, WaitTime } from './model';
import type { IdAllocator } from './naming';
import { pointer, type Report } from './report';
import { instantOf, parseDuration } from './times';

/** A send step's use of a Pinpoint template. */
export interface TemplateUse {
  channel: Channel;
  /** The Pinpoint template, when the activity names one. */
  pinpointName?: string;
  version?: string;
  /** Where the activity names it. */
  at: string;
  /** The step, for a name when the activity names no template. */
  step: string;
}

export interface StepContext {
  def: JourneyDefinition;
  report: Report;
  graph: JourneyGraph;
  /** The step each written activity starts at. */
  stepOf: Map<string, string>;
  ids: IdAllocator;
  /** The id of the journey's end step. */
  end(): string;
  /** The Baton template name for a use. */
  template(use: TemplateUse): string;
  /** The destination a custom activity's DeliveryUri becomes. */
  destination(deliveryUri: string): string;
  conditions: ConditionContext;
}

const CHANNEL_OF = { EMAIL: 'email', SMS: 'sms', PUSH: 'push' } as const;

/** The steps one activity becomes; the first is the one its incoming edges reach. */
export function activitySteps(id: string, ctx: StepContext): Record<string, Step> {
  const a = ctx.def.Activities![id];
  const type = ctx.graph.typeOf.get(id);
  const step = ctx.stepOf.get(id)!;
  const at = (...path: (string | number)[]) => pointer('Activities', id, type ?? '', ...path);
  const go = (edge: Edge) => {
    const to = ctx.graph.resolve(edge);
    return to === undefined ? ctx.end() : ctx.stepOf.get(to)!;
  };
  switch (type) {
    case undefined:
      return { [step]: { type: 'end', reason: `pinpoint activity ${id} had no type` } };
    case 'EMAIL':
    case 'SMS':
    case 'PUSH':
      return {
        [step]: sendStep(id, a, type, step, go({ target: a[type]?.NextActivity, at: at('NextActivity') }), ctx),
      };
    case 'CUSTOM':
      return { [step]: customStep(a, at, go({ target: a.CUSTOM?.NextActivity, at: at('NextActivity') }), ctx) };
    case 'Wait':
      return {
        [step]: waitStep(
          a.Wait?.WaitTime ?? {},
          at('WaitTime'),
          go({ target: a.Wait?.NextActivity, at: at('NextActivity') }),
          ctx.report,
        ),
      };
    case 'ContactCenter':
      return {
        [step]: contactCenterStep(at, go({ target: a.ContactCenter?.NextActivity, at: at('NextActivity') }), ctx),
      };
    case 'Holdout': {
      const pct = a.Holdout?.Percentage ?? 0;
      const next = go({ target: a.Holdout?.NextActivity, at: at('NextActivity') });
      if (pct >= 100) {
        ctx.report.todo(at('Percentage'), 'a holdout of 100% holds everyone out: written as the end of the journey');
        return { [step]: { type: 'end', reason: 'holdout' } };
      }
      return {
        [step]: {
          type: 'split',
          paths: [
            { weight: pct, exit: 'holdout' },
            { weight: 100 - pct, next },
          ],
        },
      };
    }
    case 'RandomSplit': {
      const paths = livePaths(id, a);
      const total = paths.reduce((s, p) => s + p.Percentage, 0);
      if (total !== 100)
        ctx.report.note(
          at('Branches'),
          `the percentages add up to ${total}, not 100: Baton weighs the paths ${paths.map((p) => p.Percentage).join(':')}, the same shares Pinpoint would give`,
        );
      return {
        [step]: {
          type: 'split',
          paths: paths.map((p) => ({
            weight: p.Percentage,
            next: go({ target: p.NextActivity, at: at('Branches', p.index, 'NextActivity') }),
          })),
        },
      };
    }
    case 'ConditionalSplit': {
      const split = a.ConditionalSplit ?? {};
      const conds = split.Condition?.Conditions ?? [];
      const parts = conds.map((c, i) => simpleCondition(c, at('Condition', 'Conditions', i), ctx.conditions));
      let cond: Condition;
      if (parts.length === 0) {
        ctx.report.todo(
          at('Condition'),
          'the yes/no split has no condition: everyone takes FalseActivity as written; write the condition by hand',
        );
        cond = unmappedCondition(at('Condition'));
      } else
        cond = parts.length === 1 ? parts[0] : split.Condition?.Operator === 'ANY' ? { any: parts } : { all: parts };
      const branch: Step = {
        type: 'branch',
        cases: [{ if: cond, next: go({ target: split.TrueActivity, at: at('TrueActivity') }) }],
        default: go({ target: split.FalseActivity, at: at('FalseActivity') }),
      };
      return evaluated(step, split.EvaluationWaitTime, at('EvaluationWaitTime'), branch, ctx);
    }
    case 'MultiCondition': {
      const split = a.MultiCondition ?? {};
      const branch: Step = {
        type: 'branch',
        cases: (split.Branches ?? []).map((b, i) => ({
          if: simpleCondition(b.Condition, at('Branches', i, 'Condition'), ctx.conditions),
          next: go({ target: b.NextActivity, at: at('Branches', i, 'NextActivity') }),
        })),
        default: go({ target: split.DefaultActivity, at: at('DefaultActivity') }),
      };
      return evaluated(step, split.EvaluationWaitTime, at('EvaluationWaitTime'), branch, ctx);
    }
    default:
      return assertNever(type);
  }
}

function sendStep(
  id: string,
  a: Activity,
  type: 'EMAIL' | 'SMS' | 'PUSH',
  step: string,
  next: string,
  ctx: StepContext,
): Step {
  const channel = CHANNEL_OF[type];
  const msg = a[type]!;
  const at = (...path: string[]) => pointer('Activities', id, type, ...path);
  if (msg.TemplateName === undefined)
    ctx.report.todo(at(), `the ${type} activity names no template: write templates/<name>.${channel}.liquid for it`);
  const template = ctx.template({
    channel,
    pinpointName: msg.TemplateName,
    version: msg.TemplateVersion,
    at: at('TemplateName'),
    step,
  });
  const send: Step = { type: 'send', channel, template, next };
  if (type === 'EMAIL' && a.EMAIL?.MessageConfig?.FromAddress !== undefined)
    ctx.report.todo(
      at('MessageConfig', 'FromAddress'),
      `Baton sends all email from the deployment's address (cdk -c baton:sesFromAddress=...); this activity sent from ${show(a.EMAIL.MessageConfig.FromAddress)}`,
    );
  if (type === 'SMS') {
    const config = a.SMS?.MessageConfig ?? {};
    if (config.MessageType === 'TRANSACTIONAL') {
      send.purpose = 'transactional';
      ctx.report.note(
        at('MessageConfig', 'MessageType'),
        'a transactional send: Baton sends it unless the customer opted out, and it ignores quiet hours and the frequency cap',
      );
    }
    for (const key of ['OriginationNumber', 'SenderId', 'EntityId', 'TemplateId'] as const) {
      if (config[key] !== undefined)
        ctx.report.todo(
          at('MessageConfig', key),
          `Baton sends SMS from the deployment's origination number (cdk -c baton:smsOriginationNumber=...) with no per-step ${key}; this activity used ${show(config[key])}`,
        );
    }
  }
  if (type === 'PUSH' && a.PUSH?.MessageConfig?.TimeToLive !== undefined)
    ctx.report.todo(
      at('MessageConfig', 'TimeToLive'),
      `Baton's push messages have no time to live; this activity kept them ${show(a.PUSH.MessageConfig.TimeToLive)} seconds`,
    );
  return send;
}

function customStep(a: Activity, at: (...path: (string | number)[]) => string, next: string, ctx: StepContext): Step {
  const report = ctx.report;
  const custom = a.CUSTOM ?? {};
  const uri = custom.DeliveryUri;
  const target = uri ? ctx.destination(uri) : 'pinpoint.custom';
  if (!uri) report.todo(at(), `the custom activity names no DeliveryUri: configure destination ${target} by hand`);
  else
    report.todo(
      at('DeliveryUri'),
      /^https:/i.test(uri)
        ? `configure destination ${show(target)} as a webhook to ${uri} in the deployment's baton:destinations (targets)`
        : `configure destination ${show(target)} in the deployment's baton:destinations: Baton calls webhooks and EventBridge buses, so put the Lambda function ${show(uri)} behind a function URL (webhook) or an EventBridge rule`,
    );
  const payload = custom.MessageConfig?.Data === undefined ? undefined : { data: `'${custom.MessageConfig.Data}'` };
  const step: Step = { type: 'action', target, ...(payload && { payload }), next, onError: next };
  report.note(
    at(),
    'Baton calls the destination at least once per customer with an idempotency key; like Pinpoint, the journey goes on if the call fails (onError)',
  );
  if (custom.EndpointTypes?.length)
    report.note(
      at('EndpointTypes'),
      `Pinpoint passed the customer's ${custom.EndpointTypes.join(', ')} endpoints; Baton passes the customer id, and the destination reads what it needs`,
    );
  if (custom.TemplateName !== undefined)
    report.todo(
      at('TemplateName'),
      `Baton actions render no template: the custom template ${show(custom.TemplateName)} is not imported; build its content in the destination`,
    );
  return step;
}

function waitStep(t: WaitTime, at: string, next: string, report: Report): Step {
  if (t.WaitFor !== undefined) return { type: 'wait', for: duration(t.WaitFor, `${at}/WaitFor`, report), next };
  return { type: 'wait', until: instantOf(t.WaitUntil!, `${at}/WaitUntil`, report), next };
}

function duration(text: string, at: string, report: Report): string {
  const d = parseDuration(text)!;
  if (d.rewritten === 'whole-seconds')
    report.note(at, `${show(text)} is written as ${d.text}: Baton writes durations in whole units`);
  if (d.rewritten === 'rounded-up')
    report.note(at, `${show(text)} is rounded up to ${d.text}: Step Functions waits whole seconds`);
  if (d.calendar)
    report.note(at, `Baton counts a month as 30 days and a year as 365: ${show(text)} is ${d.seconds} seconds`);
  return d.text;
}

/** A split that evaluates later: a wait first, then the branch. */
function evaluated(
  step: string,
  t: WaitTime | undefined,
  at: string,
  branch: Step,
  ctx: StepContext,
): Record<string, Step> {
  if (!t || (t.WaitFor === undefined && t.WaitUntil === undefined)) return { [step]: branch };
  const check = ctx.ids.allocate(`${step}-check`);
  return { [step]: waitStep(t, at, check, ctx.report), [check]: branch };
}

function contactCenterStep(at: (...path: (string | number)[]) => string, next: string, ctx: StepContext): Step {
  const arn = ctx.def.JourneyChannelSettings?.ConnectCampaignArn;
  ctx.report.todo(
    at(),
    `Baton hands the customer to phone and publishes handoff.created to the deployment's phone destination (baton:destinations handoffs.phone)${arn ? `: route it to the Amazon Connect campaign ${arn}` : ', e.g. the EventBridge bus your Amazon Connect outbound campaign reads'}; Pinpoint re-checked the journey's entry and splits just before dialing, Baton does not`,
  );
  return { type: 'handoff', to: 'phone', carry: [], reason: "'pinpoint contact center activity'", next };
}
