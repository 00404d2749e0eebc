/**
 * Baton on AWS: the table, the event bus routed to ingest, the task functions the compiled
 * journeys call, one state machine per journey, and the function that records executions that
 * ended outside their end step. Environment-agnostic: it synthesizes offline, with no credentials
 * and no lookups.
 */
import { join, resolve } from 'node:path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../aws/config';
import type { DestinationsConfig } from '../channels/destinations';
import type { HandlerName } from '../journey/compile';
import { formatProblems, type LoadedJourney, loadJourneys } from '../journey/load';
import { channelsOf } from '../journey/steps';
import { TABLE_KEYS } from '../store/table';
import { BatonApi } from './baton-api';
import { BatonFunction } from './baton-function';
import { JourneyStateMachine } from './journey-state-machine';

export interface BatonStackProps extends StackProps {
  /** The folder holding package-lock.json, lambdas/ and the workflows folder. */
  projectRoot: string;
  /** The journeys folder (with its templates/), relative to projectRoot. @default 'workflows' */
  workflowsDir?: string;
  /** The verified SES identity emails are sent from; required when a journey may send email. */
  sesFromAddress?: string;
  smsSenderId?: string;
  smsOriginationNumber?: string;
  /** Action targets and hand-off destinations (webhooks); they reach the dispatch function's environment. */
  destinations?: DestinationsConfig;
}

/** A function per file in lambdas/: ingest, closed, and one per task placeholder of compiled documents. */
export type FunctionName = 'ingest' | 'closed' | 'api' | HandlerName;

/** Construct ids are a stable contract: renaming one replaces the function. */
const FUNCTION_IDS: Record<FunctionName, string> = {
  ingest: 'IngestFunction',
  closed: 'ClosedFunction',
  api: 'ApiFunction',
  send: 'SendFunction',
  park: 'ParkFunction',
  step: 'StepFunction',
  dispatch: 'DispatchFunction',
};

/** Task functions' timeouts: send renders and calls a throttling provider, dispatch calls webhooks (10 s). */
const TASK_TIMEOUTS: Record<HandlerName, Duration> = {
  send: Duration.seconds(30),
  park: Duration.seconds(10),
  step: Duration.seconds(10),
  dispatch: Duration.seconds(30),
};

/** Where events go that a routed function could not take: undelivered by EventBridge, or failed in it. */
export interface DeadLetters {
  undelivered: sqs.Queue;
  failed: sqs.Queue;
}

export class BatonStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly bus: events.EventBus;
  readonly functions: Record<FunctionName, BatonFunction>;
  /** The IAM-authorized HTTP API of SPEC §5. */
  readonly api: BatonApi;
  /** By journey id. */
  readonly journeys: Record<string, JourneyStateMachine> = {};
  readonly deadLetters: Record<'ingest' | 'closed', DeadLetters>;

  constructor(scope: Construct, id: string, props: BatonStackProps) {
    super(scope, id, props);
    const workflowsDir = props.workflowsDir ?? 'workflows';
    const loaded = loadWorkflows(resolve(props.projectRoot, workflowsDir));

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.pk, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sk, type: dynamodb.AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: TABLE_KEYS.gsi1,
          partitionKey: { name: TABLE_KEYS.gsi1pk, type: dynamodb.AttributeType.STRING },
          sortKey: { name: TABLE_KEYS.gsi1sk, type: dynamodb.AttributeType.STRING },
        },
      ],
      timeToLiveAttribute: TABLE_KEYS.ttl,
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Profiles, consent history and the message ledger outlive any one deployment.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const fn = (name: FunctionName, timeout: Duration, environment: Record<string, string> = {}) =>
      new BatonFunction(this, FUNCTION_IDS[name], {
        projectRoot: props.projectRoot,
        entry: join(props.projectRoot, 'lambdas', `${name}.ts`),
        workflowsDir,
        timeout,
        environment: { [ENV.tableName]: this.table.tableName, ...environment },
      });
    const taskEnvironment: Partial<Record<HandlerName, Record<string, string>>> = {
      send: sendEnvironment(props),
      dispatch: props.destinations ? { [ENV.destinations]: JSON.stringify(props.destinations) } : {},
    };
    const handlers = Object.fromEntries(
      (Object.keys(TASK_TIMEOUTS) as HandlerName[]).map((h) => [h, fn(h, TASK_TIMEOUTS[h], taskEnvironment[h])]),
    ) as Record<HandlerName, BatonFunction>;

    // Dispatch may put events on exactly the buses configured as destinations.
    const buses = [
      ...Object.values(props.destinations?.targets ?? {}),
      ...Object.values(props.destinations?.handoffs ?? {}),
    ]
      .filter((d) => d.type === 'eventbridge')
      .map((d) => (d as { busName: string }).busName);
    if (buses.length) {
      handlers.dispatch.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [...new Set(buses)].map((b) =>
            b.startsWith('arn:') ? b : this.formatArn({ service: 'events', resource: 'event-bus', resourceName: b }),
          ),
        }),
      );
    }

    for (const { journey } of loaded) {
      this.journeys[journey.id] = new JourneyStateMachine(this, `Journey-${journey.id}`, { journey, handlers });
    }
    const machines = Object.values(this.journeys).map((m) => m.stateMachine);
    // Only these two look journeys up by ARN: task functions cannot (the machines reference them).
    const arns = {
      [ENV.stateMachineArns]: this.toJsonString(
        Object.fromEntries(Object.entries(this.journeys).map(([j, m]) => [j, m.stateMachine.stateMachineArn])),
      ),
    };
    const ingest = fn('ingest', Duration.seconds(30), arns);
    const closed = fn('closed', Duration.seconds(10), arns);
    // POST /events ingests like the bus does, and DELETE /customers/{id} stops instances.
    const api = fn('api', Duration.seconds(29), arns);
    this.functions = { ingest, closed, api, ...handlers };

    for (const f of Object.values(this.functions)) this.table.grantReadWriteData(f);
    for (const m of Object.values(this.journeys)) {
      m.grantInstanceControl(ingest);
      m.grantInstanceControl(api);
    }
    this.api = new BatonApi(this, 'HttpApi', { handler: api });
    grantProviders(this, handlers.send);
    if (!props.sesFromAddress) warnIfEmailUnconfigured(this, loaded);

    this.bus = new events.EventBus(this, 'EventBus');
    this.deadLetters = {
      ingest: this.route('Ingest', ingest, {
        eventBus: this.bus,
        description: 'Every event on the Baton bus goes to ingest',
        // A pattern is mandatory; every event has a source, and every source has the empty prefix.
        eventPattern: { source: events.Match.prefix('') },
      }),
      closed: this.route('Closed', closed, {
        description: 'Journey executions that failed or timed out go to closed',
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          // ABORTED is left out: Baton stops executions itself, and ends their instances as it does.
          detail: { status: ['FAILED', 'TIMED_OUT'], stateMachineArn: machines.map((m) => m.stateMachineArn) },
        },
      }),
    };

    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
  }

  /**
   * A rule to an async function where no event is dropped: EventBridge retries up to 24 h, then
   * dead-letters; Lambda's own async retries (2, within 6 h) end in a failure queue.
   */
  private route(name: string, target: lambda.Function, rule: Omit<events.RuleProps, 'targets'>): DeadLetters {
    const undelivered = deadLetterQueue(this, `${name}DeadLetterQueue`);
    const failed = deadLetterQueue(this, `${name}FailureQueue`);
    target.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(failed),
    });
    new events.Rule(this, `${name}Rule`, {
      ...rule,
      targets: [
        new targets.LambdaFunction(target, {
          deadLetterQueue: undelivered,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    return { undelivered, failed };
  }
}

function loadWorkflows(dir: string): LoadedJourney[] {
  const { loaded, failures } = loadJourneys([dir]);
  if (failures.length) throw new Error(`invalid journeys in ${dir}:\n${formatProblems(failures).join('\n')}`);
  if (!loaded.length) throw new Error(`no journeys in ${dir}`);
  return loaded;
}

function sendEnvironment(props: BatonStackProps): Record<string, string> {
  const env: Record<string, string> = {};
  if (props.sesFromAddress) env[ENV.sesFromAddress] = props.sesFromAddress;
  if (props.smsSenderId) env[ENV.smsSenderId] = props.smsSenderId;
  if (props.smsOriginationNumber) env[ENV.smsOriginationNumber] = props.smsOriginationNumber;
  return env;
}

/**
 * SMS to a phone number has no resource ARN, hence `*` (it also covers push platform endpoints).
 * Email is limited to this account's identities: in the SES sandbox the recipient is an identity
 * too, so the sender's identity alone would not do.
 */
function grantProviders(stack: Stack, send: lambda.IFunction): void {
  send.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
  const identities = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
  send.addToRolePolicy(new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [identities] }));
}

function warnIfEmailUnconfigured(stack: Stack, loaded: LoadedJourney[]): void {
  const users = loaded.filter((l) =>
    Object.values(l.journey.steps).some((s) => s.type === 'send' && channelsOf(s).includes('email')),
  );
  if (users.length) {
    Annotations.of(stack).addWarningV2(
      'baton:sesFromAddress',
      `journeys ${users.map((l) => l.journey.id).join(', ')} may send email but no SES from address is set ` +
        '(context baton:sesFromAddress): the send function will refuse to start',
    );
  }
}

function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
}
