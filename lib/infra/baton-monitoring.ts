/**
 * What an operator watches: one alarm topic (encrypted with Baton's key, optionally mailed), alarms
 * on failed executions per journey, on any message in a dead-letter queue, on function errors and
 * throttles, on sends that did not go out and on SMS spend; and a dashboard of the same signals
 * with Baton's own metrics (starts, exits by reason, sends by channel, suppressions by reason), and
 * the progress of audience runs (members listed, entered, ignored by reason; failed runs and batches).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface BatonMonitoringProps {
  /** By name, e.g. ingest, send. */
  functions: Record<string, lambda.IFunction>;
  /** By journey id. */
  stateMachines: Record<string, sfn.IStateMachine>;
  /** The run state machines of audience journeys, by journey id. @default none */
  audienceRuns?: Record<string, sfn.IStateMachine>;
  /** Queues that should stay empty, by name. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  /** Encrypts the alarm topic; its policy must let CloudWatch use it (granted here). */
  encryptionKey: kms.IKey;
  /** Where alarms are mailed (the address must confirm the subscription). @default no subscription */
  alarmEmail?: string;
  /** SMS spend in a month (USD) above which the SmsSpend alarm fires. @default 100 */
  smsMonthlyBudgetUsd?: number;
}

/** Every alarm fires on the first occurrence in a 5-minute period: each one means lost or stuck work. */
const PERIOD = Duration.minutes(5);

export class BatonMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: BatonMonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Baton alarms',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // CloudWatch publishes to the encrypted topic with the key, only for this account's alarms.
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new actions.SnsAction(this.topic));
      this.alarms.push(a);
      return a;
    };

    const journeyWidgets: cloudwatch.IWidget[] = [];
    for (const [journey, sm] of Object.entries(props.stateMachines)) {
      const failed = sm.metricFailed({ period: PERIOD, statistic: 'Sum' });
      alarm(`${journey}-ExecutionsFailed`, failed, `Journey ${journey}: executions failed (see the closed function)`);
      journeyWidgets.push(
        new cloudwatch.GraphWidget({
          title: `Journey ${journey}`,
          left: [
            sm.metricStarted({ period: PERIOD, statistic: 'Sum' }),
            sm.metricSucceeded({ period: PERIOD, statistic: 'Sum' }),
            failed,
            sm.metricTimedOut({ period: PERIOD, statistic: 'Sum' }),
            sm.metricThrottled({ period: PERIOD, statistic: 'Sum' }),
          ],
        }),
      );
    }
    // A run fails when a batch fails for good (ToleratedFailurePercentage 0): its Map Run failed,
    // and the run is redriven (docs/operations.md). Children are executions of the same machine.
    const runWidgets: cloudwatch.IWidget[] = [];
    for (const [journey, sm] of Object.entries(props.audienceRuns ?? {})) {
      const failed = sm.metricFailed({ period: PERIOD, statistic: 'Sum' });
      alarm(
        `${journey}-RunsFailed`,
        failed,
        `Audience journey ${journey}: a run or one of its batches failed (Map Run failure): redrive the run, see docs/operations.md`,
      );
      runWidgets.push(
        new cloudwatch.GraphWidget({
          title: `Audience runs of ${journey}: runs and batches`,
          left: [
            sm.metricStarted({ period: PERIOD, statistic: 'Sum', label: 'started (runs and batches)' }),
            sm.metricSucceeded({ period: PERIOD, statistic: 'Sum' }),
            failed,
            sm.metricAborted({ period: PERIOD, statistic: 'Sum' }),
          ],
          right: [sm.metricThrottled({ period: PERIOD, statistic: 'Sum' })],
        }),
      );
    }
    if (runWidgets.length) {
      // Members listed (the audience function), entered and ignored by reason (their timeline lines).
      runWidgets.unshift(
        new cloudwatch.GraphWidget({
          title: 'Audience run progress: members listed, entered, ignored by reason',
          left: [
            new cloudwatch.MathExpression({
              expression: `SEARCH('{Baton,journey,service} MetricName="MembersListed"', 'Sum', 300)`,
              label: 'listed',
              period: PERIOD,
            }),
            new cloudwatch.MathExpression({
              expression: `SEARCH('{Baton,journey,service} MetricName="Entered"', 'Sum', 300)`,
              label: 'entered',
              period: PERIOD,
            }),
          ],
          right: [
            new cloudwatch.MathExpression({
              expression: `SEARCH('{Baton,journey,reason,service} MetricName="Ignored"', 'Sum', 300)`,
              label: 'ignored',
              period: PERIOD,
            }),
          ],
          width: 24,
        }),
      );
    }
    const queueWidgets: cloudwatch.IWidget[] = [];
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      const depth = queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' });
      alarm(
        `${name}-NotEmpty`,
        depth,
        `${name} holds events Baton could not process: see docs/operations.md to replay`,
      );
      queueWidgets.push(new cloudwatch.SingleValueWidget({ title: name, metrics: [depth], width: 4 }));
    }
    const functionWidgets: cloudwatch.IWidget[] = [];
    for (const [name, fn] of Object.entries(props.functions)) {
      const errors = fn.metricErrors({ period: PERIOD, statistic: 'Sum' });
      const throttles = fn.metricThrottles({ period: PERIOD, statistic: 'Sum' });
      alarm(`${name}-Errors`, errors, `Function ${name}: invocations failed`);
      alarm(`${name}-Throttles`, throttles, `Function ${name}: invocations throttled (concurrency)`);
      functionWidgets.push(
        new cloudwatch.GraphWidget({
          title: `Function ${name}`,
          left: [fn.metricInvocations({ period: PERIOD, statistic: 'Sum' }), errors, throttles],
          right: [fn.metricDuration({ period: PERIOD, statistic: 'p99' })],
        }),
      );
    }
    // Baton's own metrics (lib/aws/metrics.ts): what journeys did, by journey, channel and reason.
    const baton = (metricName: string, label: string, dimensions: Record<string, string>) =>
      new cloudwatch.Metric({
        namespace: 'Baton',
        metricName,
        dimensionsMap: { service: 'baton', ...dimensions },
        label,
        period: PERIOD,
        statistic: 'Sum',
      });
    const search = (expression: string, label: string) =>
      new cloudwatch.MathExpression({ expression: `SEARCH('${expression}', 'Sum', 300)`, label, period: PERIOD });
    const sendFailed = search('{Baton,reason,service} MetricName="SendFailed"', 'send failed');
    alarm(
      'SendsFailed',
      new cloudwatch.MathExpression({
        expression: 'SUM(failed)',
        usingMetrics: { failed: sendFailed },
        period: PERIOD,
      }),
      'Messages did not go out (refused by the provider, rejected, or unknown after a lost answer): see the send function logs',
    );
    const smsSpend = new cloudwatch.Metric({
      namespace: 'AWS/SNS',
      metricName: 'SMSMonthToDateSpentUSD',
      period: Duration.hours(1),
      statistic: 'Maximum',
    });
    const spend = new cloudwatch.Alarm(this, 'SmsSpend', {
      metric: smsSpend,
      threshold: props.smsMonthlyBudgetUsd ?? 100,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'SMS spend this month passed the budget: SNS stops sending at the account spend limit',
    });
    spend.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(spend);
    const outcomeWidgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Starts and exits',
        left: [search('{Baton,journey,service} MetricName="Entered"', 'entered')],
        right: [search('{Baton,journey,reason,service} MetricName="Exited"', 'exited')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Sends by channel, failures by reason',
        left: ['sms', 'email', 'push'].map((c) => baton('Sent', `sent ${c}`, { channel: c })),
        right: [sendFailed],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Suppressions by reason',
        left: ['consent', 'no-address', 'quiet-hours', 'frequency-cap', 'no-eligible-channel'].map((r) =>
          baton('Suppressed', r, { reason: r }),
        ),
        right: [smsSpend],
        width: 8,
      }),
    ];
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
        outcomeWidgets,
        journeyWidgets,
        runWidgets,
        queueWidgets,
        functionWidgets,
      ],
    });
  }
}
