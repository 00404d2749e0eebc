/**
 * One audience journey's runs on AWS (SPEC §6, ARCHITECTURE.md decision 7): the run state machine,
 * exactly `renderAsl(compileRun(journey))` (what `baton compile --run` prints) deployed with
 * DefinitionBody.fromString and the audience function's ARN substituted; a retained version per
 * revision; and the EventBridge Scheduler schedule that starts that version's runs, with a retry
 * policy and a dead-letter queue. CDK grants nothing for a document given as a string, so this
 * construct grants the run exactly what its Distributed Map and tasks do.
 */
import { Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { AUDIENCE_PLACEHOLDER, compileRun } from '../audience/compile-run';
import { renderAsl } from '../journey/compile';
import type { Journey } from '../journey/schema';
import { placeholdersIn, versionedStateMachine } from './journey-state-machine';
import { MEMBER_FILES_PREFIX } from './member-bucket';
import { acknowledgeFinding, defaultPolicyOf } from './nag';
import { type RunSchedule, runSchedule } from './run-schedule';

export interface AudienceRunProps {
  journey: Journey;
  /** The audience function the run's List and Enter tasks invoke. */
  audienceFunction: lambda.IFunction;
  /** Where the run's member files are written; the Map reads them from here. */
  memberBucket: s3.IBucket;
  /** Where Scheduler puts a start it could not make after its retries. */
  deadLetterQueue: sqs.IQueue;
  /** The data key: the bucket's objects, the dead-letter queue and the log group are encrypted with it. */
  encryptionKey: kms.IKey;
  /** Retention of the execution log. @default one month */
  logRetention?: logs.RetentionDays;
  /** The time of the synth, in ms: runs before it are not scheduled. */
  now: number;
}

/**
 * How long Scheduler keeps trying to start a run (throttled, or Step Functions unavailable) before
 * the start goes to the dead-letter queue: a day, EventBridge's own default, with its attempts.
 */
const SCHEDULER_RETRY = { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 };

/** Scheduler's context attribute for the time a schedule fired for (the run's ASL reads runAt from it). */
export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

export class AudienceRun extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The version the schedule starts: a journey's runs go on the version that was deployed with it. */
  readonly version: sfn.CfnStateMachineVersion;
  /** The schedule starting the runs ahead; none when every run is past (the machine stays, for redrives). */
  readonly schedule?: scheduler.CfnSchedule;
  /** What Scheduler is given of the journey's schedule; undefined when every run is past. */
  readonly runSchedule?: RunSchedule;
  /** The deployed document, before substitution: byte for byte what `baton compile --run` prints. */
  readonly definition: string;
  /** The role Scheduler starts runs with: StartExecution on this version, and the dead-letter queue. */
  readonly schedulerRole?: iam.Role;

  constructor(scope: Construct, id: string, props: AudienceRunProps) {
    super(scope, id);
    const { journey } = props;
    const stack = Stack.of(this);
    // Checked before anything is built: a schedule Scheduler cannot keep fails the synth.
    this.runSchedule = runSchedule(journey, props.now);
    this.definition = renderAsl(compileRun(journey));
    const unknown = placeholdersIn(this.definition).filter((p) => p !== AUDIENCE_PLACEHOLDER);
    if (unknown.length) throw new Error(`the runs of ${journey.id} compile to placeholders ${unknown.join(', ')}`);

    ({ stateMachine: this.stateMachine, version: this.version } = versionedStateMachine(this, {
      definition: this.definition,
      substitutions: { [AUDIENCE_PLACEHOLDER]: props.audienceFunction.functionArn },
      description: `${journey.id} v${journey.version} runs as deployed`,
      logRetention: props.logRetention,
      encryptionKey: props.encryptionKey,
    }));
    const sm = this.stateMachine;
    sm.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.audienceFunction.functionArn] }),
    );
    // The Map's ItemReader reads the member files, decrypted with the data key through S3 only.
    sm.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.memberBucket.arnForObjects(`${MEMBER_FILES_PREFIX}${journey.id}/*`)],
      }),
    );
    sm.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    // The Distributed Map's children are executions of this state machine (AWS's "IAM policies for
    // using Distributed Map states"): in a policy of its own, because the role's default policy
    // cannot name the state machine that depends on it.
    const mapPolicy = new iam.Policy(this, 'DistributedMapPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['states:StartExecution'],
          // A run started on a version starts its children on that version.
          resources: [sm.stateMachineArn, `${sm.stateMachineArn}:*`],
        }),
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [executionsOf(stack, sm, ':*'), executionsOf(stack, sm, '/*')],
        }),
        // Redrive of a failed run redrives its Map Run's failed children.
        new iam.PolicyStatement({ actions: ['states:RedriveExecution'], resources: [executionsOf(stack, sm, '/*')] }),
      ],
    });
    sm.role.attachInlinePolicy(mapPolicy);

    if (this.runSchedule) {
      const { role, schedule } = this.scheduleRuns(this.runSchedule, props);
      this.schedulerRole = role;
      this.schedule = schedule;
    }
    this.acknowledgeFindings(journey.id, props);
  }

  /** The schedule that starts this version's runs, and the role it starts them with. */
  private scheduleRuns(s: RunSchedule, props: AudienceRunProps): { role: iam.Role; schedule: scheduler.CfnSchedule } {
    const { journey } = props;
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `EventBridge Scheduler starts the runs of ${journey.id}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.version.attrArn] }),
    );
    // Exactly what a dead-lettered start needs of the encrypted queue (CDK's queue grant adds wildcards).
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
      }),
    );

    const schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: `Runs of audience journey ${journey.id} v${journey.version}`,
      scheduleExpression: s.expression,
      scheduleExpressionTimezone: s.timezone,
      startDate: s.startDate,
      endDate: s.endDate,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.version.attrArn,
        roleArn: role.roleArn,
        input: JSON.stringify({ scheduledTime: SCHEDULED_TIME }),
        retryPolicy: SCHEDULER_RETRY,
        deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
      },
    });
    return { role, schedule };
  }

  private acknowledgeFindings(id: string, props: AudienceRunProps): void {
    const policy = defaultPolicyOf(this.stateMachine.role);
    acknowledgeFinding(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      `The ${id} run state machine's CloudWatch Logs delivery (logs:CreateLogDelivery and friends) and X-Ray ` +
        '(xray:PutTraceSegments) support no resource-level permissions: AWS documents Resource "*" for both',
    );
    const bucket = Stack.of(this).getLogicalId(props.memberBucket.node.defaultChild as s3.CfnBucket);
    acknowledgeFinding(
      policy,
      `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/${MEMBER_FILES_PREFIX}${id}/*]`,
      `The ${id} run reads its member files, named per run at run time, under this journey's prefix of the member bucket only`,
    );
    const sm = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine);
    const name = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${sm}"}]}]}`;
    const children =
      `The ${id} run's Distributed Map starts, follows, stops and redrives child executions of this state machine only, ` +
      'named per batch at run time (AWS: IAM policies for using Distributed Map states)';
    acknowledgeFinding(this.node.findChild('DistributedMapPolicy'), `AwsSolutions-IAM5[Resource::<${sm}>:*]`, children);
    acknowledgeFinding(
      this.node.findChild('DistributedMapPolicy'),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`,
      children,
    );
    acknowledgeFinding(
      this.node.findChild('DistributedMapPolicy'),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}/*]`,
      children,
    );
  }
}

/** The ARNs of a state machine's executions: `:*` its own, `/*` its Map Runs' children. */
function executionsOf(stack: Stack, sm: sfn.StateMachine, tail: ':*' | '/*'): string {
  // As CDK's grantExecution names them: the name is the 7th field of the state machine's ARN.
  const name = Fn.select(6, Fn.split(':', sm.stateMachineArn));
  return `arn:${stack.partition}:states:${stack.region}:${stack.account}:execution:${name}${tail}`;
}
