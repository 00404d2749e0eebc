/**
 * BatonEngine, Baton on AWS as one construct: the table, the event bus buffered to ingest, the task
 * functions the compiled journeys call, one versioned state machine per journey, the function that
 * records executions that ended outside their end step, the HTTP API, one data key, alarms and a
 * dashboard. Secure by default (checked by cdk-nag's AWS Solutions rules) and environment-agnostic:
 * it synthesizes offline, with no credentials and no lookups.
 */
import { join, resolve } from 'node:path';
import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../aws/config';
import { TABLE_ACCESS } from '../aws/table-access';
import type { DestinationsConfig } from '../channels/destinations';
import { checkTemplate } from '../core/templates';
import type { HandlerName } from '../journey/compile';
import { formatProblems, type LoadedJourney, loadJourneys } from '../journey/load';
import { channelsOf } from '../journey/steps';
import { TABLE_KEYS } from '../store/dynamo-table';
import { AudienceRun } from './audience-run';
import { BatonApi, type BatonApiThrottle, resolveThrottle } from './baton-api';
import { BatonFunction, type BatonFunctionProps } from './baton-function';
import { BatonMonitoring } from './baton-monitoring';
import { acknowledgeFunctionFindings } from './function-findings';
import { JourneyStateMachine } from './journey-state-machine';
import { acknowledgeMemberWrites, grantMemberFiles, memberBucket, segmentAssets } from './member-bucket';
import { acknowledgeFinding, defaultPolicyOf } from './nag';
import { grantTableAccess } from './table-grants';
import { assertNoPlainCredentials, grantSecretReads, secretRefs, secretsExtension } from './webhook-secrets';

export interface BatonEngineProps {
  /** The folder holding package-lock.json, lambdas/ and the workflows folder. */
  projectRoot: string;
  /** The journeys folder (with its templates/), relative to projectRoot. @default 'workflows' */
  workflowsDir?: string;
  /** The verified SES identity emails are sent from; required when a journey may send email. */
  sesFromAddress?: string;
  /** The SMS sender id (alphanumeric, where the destination country allows it). @default none */
  smsSenderId?: string;
  /** The origination number (short code, toll-free or 10DLC) SMS are sent from. @default SNS picks one */
  smsOriginationNumber?: string;
  /**
   * Action targets and hand-off destinations (webhooks); they reach the dispatch function's
   * environment. A credential header (Authorization, API keys, tokens) must be a reference to a
   * Secrets Manager secret or an SSM SecureString, which only the dispatch function may read.
   */
  destinations?: DestinationsConfig;
  /**
   * How many ingest functions may run at once on the buffer queue. Each starts executions one at a
   * time (~20/s), so 10 stays under the StartExecution refill of 300/s in us-east-1 (lower elsewhere).
   * @default 10
   */
  ingestMaxConcurrency?: number;
  /** Requests per second (rate) and burst the HTTP API's stage takes before answering 429. @default BatonApi's */
  apiThrottle?: BatonApiThrottle;
  /** Where alarms are mailed. @default alarms go to the topic only */
  alarmEmail?: string;
  /**
   * The time audience schedules are worked out as of, in ms: runs already past are not scheduled
   * (EventBridge Scheduler refuses start and end dates in the past).
   * @default the time of the synth
   */
  now?: number;
  /**
   * The key for the table, the queues, the log groups and the alarm topic; its policy must let
   * CloudWatch Logs, EventBridge and CloudWatch use it (as the default key's does).
   * @default a new customer-managed key, rotated yearly, retained on stack deletion
   */
  encryptionKey?: kms.IKey;
}

/**
 * A function per file in lambdas/: ingest, closed, the API, audience (the ops of audience runs), and
 * one per task placeholder of compiled documents.
 */
export type FunctionName = 'ingest' | 'closed' | 'api' | 'audience' | HandlerName;

/** Construct ids are a stable contract: renaming one replaces the function. */
const FUNCTION_IDS: Record<FunctionName, string> = {
  ingest: 'IngestFunction',
  closed: 'ClosedFunction',
  api: 'ApiFunction',
  audience: 'AudienceFunction',
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

/** Ingest's buffer between the bus and the function; its failures go to `failed` after maxReceiveCount. */
export interface IngestBuffer extends DeadLetters {
  queue: sqs.Queue;
}

/**
 * Everything Baton runs on AWS, secure by default. Give it the id `Default` in a stack of its own
 * (as BatonStack does) so that logical ids do not carry the construct's id.
 */
export class BatonEngine extends Construct {
  /** The customer-managed key (rotated yearly) of the table, the queues and the log groups. */
  readonly key: kms.IKey;
  readonly table: dynamodb.TableV2;
  readonly bus: events.EventBus;
  readonly functions: Record<FunctionName, BatonFunction>;
  /** The IAM-authorized HTTP API of SPEC §5. */
  readonly api: BatonApi;
  /** By journey id. */
  readonly journeys: Record<string, JourneyStateMachine> = {};
  /** The runs of each audience journey (state machine and schedule), by journey id. */
  readonly audienceRuns: Record<string, AudienceRun> = {};
  /** Where audience runs write their member files. */
  readonly memberBucket: s3.Bucket;
  /** Where EventBridge Scheduler puts a run it could not start. */
  readonly scheduleDeadLetterQueue: sqs.Queue;
  readonly deadLetters: { ingest: IngestBuffer; closed: DeadLetters };
  /** Alarms, their topic and the dashboard. */
  readonly monitoring: BatonMonitoring;

  constructor(scope: Construct, id: string, props: BatonEngineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const ingestMaxConcurrency = props.ingestMaxConcurrency ?? 10;
    // Checked first: building the functions bundles them, which takes seconds.
    if (!Number.isInteger(ingestMaxConcurrency) || ingestMaxConcurrency < 2 || ingestMaxConcurrency > 1000) {
      throw new Error(
        `ingestMaxConcurrency must be an integer from 2 to 1000 (SQS event sources), found ${ingestMaxConcurrency}`,
      );
    }
    assertNoPlainCredentials(props.destinations);
    const apiThrottle = resolveThrottle(props.apiThrottle);
    const workflowsDir = props.workflowsDir ?? 'workflows';
    const loaded = loadWorkflows(resolve(props.projectRoot, workflowsDir));

    this.key = props.encryptionKey ?? dataKey(this);
    this.table = new dynamodb.TableV2(this, 'Table', {
      // customerManagedKey() needs a concrete region; the key is set on the replica below instead.
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
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

    this.memberBucket = memberBucket(this, 'MemberBucket', this.key);
    (this.table.node.defaultChild as dynamodb.CfnGlobalTable).addPropertyOverride(
      'Replicas.0.SSESpecification.KMSMasterKeyId',
      this.key.keyArn,
    );

    const fn = (
      name: FunctionName,
      timeout: Duration,
      environment: Record<string, string> = {},
      options: Pick<BatonFunctionProps, 'paramsAndSecrets' | 'memorySize'> = {},
    ) =>
      new BatonFunction(this, FUNCTION_IDS[name], {
        projectRoot: props.projectRoot,
        entry: join(props.projectRoot, 'lambdas', `${name}.ts`),
        workflowsDir,
        timeout,
        encryptionKey: this.key,
        environment: { [ENV.tableName]: this.table.tableName, ...environment },
        ...options,
      });
    // Only references reach the environment: dispatch reads the values (lib/aws/secrets.ts).
    const secrets = secretRefs(props.destinations);
    const taskEnvironment: Partial<Record<HandlerName, Record<string, string>>> = {
      send: sendEnvironment(props),
      dispatch: props.destinations ? { [ENV.destinations]: JSON.stringify(props.destinations) } : {},
    };
    const taskOptions: Partial<Record<HandlerName, Pick<BatonFunctionProps, 'paramsAndSecrets'>>> = {
      dispatch: secrets.length ? { paramsAndSecrets: secretsExtension() } : {},
    };
    const handlers = Object.fromEntries(
      (Object.keys(TASK_TIMEOUTS) as HandlerName[]).map((h) => [
        h,
        fn(h, TASK_TIMEOUTS[h], taskEnvironment[h], taskOptions[h]),
      ]),
    ) as Record<HandlerName, BatonFunction>;
    if (secrets.length) grantSecretReads(this, handlers.dispatch, secrets);

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
            b.startsWith('arn:') ? b : stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: b }),
          ),
        }),
      );
    }

    for (const { journey } of loaded) {
      this.journeys[journey.id] = new JourneyStateMachine(this, `Journey-${journey.id}`, {
        journey,
        handlers,
        encryptionKey: this.key,
      });
    }
    const machines = Object.values(this.journeys).map((m) => m.stateMachine);
    // Only these look journeys up by ARN: task functions cannot (the machines reference them).
    const arnsBy = (arnOf: (m: JourneyStateMachine) => string) => ({
      [ENV.stateMachineArns]: stack.toJsonString(
        Object.fromEntries(Object.entries(this.journeys).map(([j, m]) => [j, arnOf(m)])),
      ),
    });
    // Ingest and the API start instances: on the live aliases, so on the newest version.
    const arns = arnsBy((m) => m.liveArn);
    const ingest = fn('ingest', Duration.seconds(30), arns);
    // Closed only matches status-change events, whose stateMachineArn is the unqualified ARN; the
    // catalog matches `<entry>:<qualifier>` to an entry, not an entry's qualifier to its base.
    const closed = fn(
      'closed',
      Duration.seconds(10),
      arnsBy((m) => m.stateMachine.stateMachineArn),
    );
    // POST /events ingests like the bus does, and DELETE /customers/{id} stops instances.
    const api = fn('api', Duration.seconds(29), arns);
    const audience = this.audienceFunction(fn, arns, loaded);
    this.functions = { ingest, closed, api, audience, ...handlers };

    for (const [name, f] of Object.entries(this.functions) as [FunctionName, BatonFunction][]) {
      grantTableAccess(f, this.table, this.key, TABLE_ACCESS[name]);
    }
    for (const m of Object.values(this.journeys)) {
      m.grantInstanceControl(ingest);
      m.grantInstanceControl(api);
    }
    this.api = new BatonApi(this, 'HttpApi', { handler: api, encryptionKey: this.key, throttle: apiThrottle });
    grantProviders(stack, handlers.send);
    if (!props.sesFromAddress) warnIfEmailUnconfigured(stack, loaded);

    this.scheduleDeadLetterQueue = deadLetterQueue(
      this,
      'AudienceScheduleDeadLetterQueue',
      this.key,
      'the EventBridge Scheduler schedules that start audience runs',
    );
    for (const { journey } of loaded.filter((l) => l.journey.audience)) {
      this.audienceRuns[journey.id] = new AudienceRun(this, `AudienceRun-${journey.id}`, {
        journey,
        audienceFunction: audience,
        memberBucket: this.memberBucket,
        deadLetterQueue: this.scheduleDeadLetterQueue,
        encryptionKey: this.key,
        now: props.now ?? Date.now(),
      });
    }

    this.bus = new events.EventBus(this, 'EventBus');
    this.deadLetters = {
      ingest: this.buffer(ingest, ingestMaxConcurrency, {
        eventBus: this.bus,
        description: 'Every event on the Baton bus goes to the ingest buffer',
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

    this.monitoring = new BatonMonitoring(this, 'Monitoring', {
      functions: this.functions,
      stateMachines: Object.fromEntries(Object.entries(this.journeys).map(([j, m]) => [j, m.stateMachine])),
      audienceRuns: Object.fromEntries(Object.entries(this.audienceRuns).map(([j, r]) => [j, r.stateMachine])),
      deadLetterQueues: {
        IngestDeadLetterQueue: this.deadLetters.ingest.undelivered,
        IngestFailureQueue: this.deadLetters.ingest.failed,
        ClosedDeadLetterQueue: this.deadLetters.closed.undelivered,
        ClosedFailureQueue: this.deadLetters.closed.failed,
        AudienceScheduleDeadLetterQueue: this.scheduleDeadLetterQueue,
      },
      encryptionKey: this.key,
      alarmEmail: props.alarmEmail,
    });
    // Last: the findings are about the roles' final policies.
    for (const [name, f] of Object.entries(this.functions) as [FunctionName, BatonFunction][]) {
      acknowledgeFunctionFindings(name, f, {
        failureQueue: name === 'closed',
        wildcardResource: name === 'send' ? SMS_PUBLISH : undefined,
      });
    }
    acknowledgeMemberWrites(audience, this.memberBucket);
  }

  /**
   * The audience function: list and enter for every audience run. It writes member files under
   * `runs/` of the member bucket, reads the file segments deployed as assets, and starts members'
   * instances on the audience journeys' live aliases only. A list of millions of members takes
   * minutes and holds their ids: the longest timeout Lambda has, and memory to match.
   */
  private audienceFunction(
    fn: (
      name: FunctionName,
      timeout: Duration,
      environment?: Record<string, string>,
      options?: Pick<BatonFunctionProps, 'memorySize'>,
    ) => BatonFunction,
    arns: Record<string, string>,
    loaded: LoadedJourney[],
  ): BatonFunction {
    const audiences = loaded.filter((l) => l.journey.audience);
    const segments = segmentAssets(this, audiences);
    const audience = fn(
      'audience',
      Duration.minutes(15),
      {
        ...arns,
        [ENV.memberBucket]: this.memberBucket.bucketName,
        [ENV.segmentObjects]: Stack.of(this).toJsonString(segments.objects),
      },
      { memorySize: 1024 },
    );
    grantMemberFiles(audience, this.memberBucket, this.key, segments.assets);
    const aliases = audiences.map((l) => this.journeys[l.journey.id].liveArn);
    if (aliases.length) {
      iam.Grant.addToPrincipal({ grantee: audience, actions: ['states:StartExecution'], resourceArns: aliases });
    }
    return audience;
  }

  /**
   * Ingest reads the bus through a queue, so a burst waits in SQS instead of being throttled by
   * Step Functions: at most `maxConcurrency` functions start executions, each one at a time. A record
   * that throws is retried alone (ReportBatchItemFailures), and dead-lettered after 5 receives.
   */
  private buffer(
    target: lambda.Function,
    maxConcurrency: number,
    rule: Omit<events.RuleProps, 'targets'>,
  ): IngestBuffer {
    const undelivered = deadLetterQueue(this, 'IngestDeadLetterQueue', this.key, 'the target of the ingest rule');
    const failed = deadLetterQueue(this, 'IngestFailureQueue', this.key);
    const queue = new sqs.Queue(this, 'IngestQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // Six times the function's timeout, as AWS recommends for SQS event sources.
      visibilityTimeout: Duration.seconds(6 * (target.timeout?.toSeconds() ?? 30)),
      deadLetterQueue: { queue: failed, maxReceiveCount: 5 },
    });
    target.addEventSource(
      new sources.SqsEventSource(queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency,
      }),
    );
    new events.Rule(this, 'IngestRule', {
      ...rule,
      targets: [
        new targets.SqsQueue(queue, {
          deadLetterQueue: undelivered,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    return { queue, undelivered, failed };
  }

  /**
   * A rule to an async function where no event is dropped: EventBridge retries up to 24 h, then
   * dead-letters; Lambda's own async retries (2, within 6 h) end in a failure queue.
   */
  private route(name: string, target: lambda.Function, rule: Omit<events.RuleProps, 'targets'>): DeadLetters {
    const undelivered = deadLetterQueue(this, `${name}DeadLetterQueue`, this.key, `the target of the ${name} rule`);
    const failed = deadLetterQueue(
      this,
      `${name}FailureQueue`,
      this.key,
      `the on-failure destination of the ${name} function`,
    );
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

/**
 * One key for the data at rest: the table, the dead-letter queues and the log groups. CloudWatch
 * Logs encrypts with it only if the key policy lets the regional Logs service use it for this
 * account's log groups; EventBridge writes undelivered events to the encrypted dead-letter queues.
 */
function dataKey(scope: Construct): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'DataKey', {
    description: 'Baton: table, queues and logs',
    enableKeyRotation: true,
    // Retained with the table: deleting the key would make the table's data unreadable.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  return key;
}

function loadWorkflows(dir: string): LoadedJourney[] {
  const { loaded, failures } = loadJourneys([dir], { checkTemplate });
  if (failures.length) throw new Error(`invalid journeys in ${dir}:\n${formatProblems(failures).join('\n')}`);
  if (!loaded.length) throw new Error(`no journeys in ${dir}`);
  return loaded;
}

function sendEnvironment(props: BatonEngineProps): Record<string, string> {
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
  if (!send.role) throw new Error('the send function has no role');
  acknowledgeFinding(
    defaultPolicyOf(send.role),
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
    "The send function's ses:SendEmail: in the SES sandbox every recipient is an identity too; limited to this account and region's identities",
  );
}

/** Why the send function's sns:Publish names no resource. */
const SMS_PUBLISH =
  "The send function's sns:Publish: a text to a phone number (SMS) has no resource ARN, and push endpoints are created per device";

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

/**
 * A queue that only receives what could not be processed. `deadLetterFor` names what sends to it
 * when that is not an SQS redrive (which cdk-nag recognises as a dead-letter queue by itself).
 */
function deadLetterQueue(scope: Construct, id: string, key: kms.IKey, deadLetterFor?: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
  });
  if (deadLetterFor) {
    acknowledgeFinding(
      queue,
      'AwsSolutions-SQS3',
      `${id} is itself a dead-letter queue, for ${deadLetterFor}: a queue behind it would only move the problem`,
    );
  }
  return queue;
}
