/**
 * The Lambda composition root (the AWS twin of lib/local/runtime.ts): the same use cases, wired to
 * DynamoDB, Step Functions, SNS and SES. Deps are built once per process, on the first invocation,
 * from the journeys bundled beside the code, so every function serves the same journey versions
 * as the state machines deployed with it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import {
  type Destination,
  type DestinationConfig,
  type DestinationRouter,
  type DestinationsConfig,
  unconfigured,
  webhookDestination,
} from '../channels/destinations';
import { eventBridgeDestination } from '../channels/eventbridge-destination';
import { sesEmailSender } from '../channels/ses-email';
import { snsPushSender } from '../channels/sns-push';
import { snsSmsSender } from '../channels/sns-sms';
import { JourneyCatalog } from '../core/catalog';
import type { ChannelSender, Deps, Logger } from '../core/ports';
import type { HandlerName } from '../journey/compile';
import { formatProblems, type LoadedJourney, loadJourneys } from '../journey/load';
import { channelsOf } from '../journey/steps';
import { Table } from '../store/table';
import { type AwsConfig, awsConfig, ConfigError, ENV } from './config';
import { loggerPort } from './logger';
import { emitTimelineMetric } from './metrics';
import { sfnPort } from './sfn';
import { traced } from './tracer';

/**
 * The function a process runs: ingest, closed (executions that ended outside their end step), or
 * one of the compiled state machines' task handlers.
 */
export type FunctionRole = 'ingest' | 'closed' | 'api' | HandlerName;

/** Roles that look journeys up by state machine ARN; task handlers never do. */
const NEEDS_ARNS: ReadonlySet<FunctionRole> = new Set(['ingest', 'closed', 'api']);

/** SDK clients to use instead of the process defaults (tests). */
export interface AwsClients {
  dynamodb?: DynamoDBClient;
  sfn?: SFNClient;
  sns?: SNSClient;
  ses?: SESv2Client;
}

export interface BuildOptions {
  clients?: AwsClients;
  log?: Logger;
}

/** Build the use cases' Deps for one function from its configuration. */
export function buildDeps(config: AwsConfig, role: FunctionRole, opts: BuildOptions = {}): Deps {
  const clients = opts.clients ?? {};
  const journeys = loadBundledJourneys(config.journeysDir);
  // Task handlers never need an ARN, and cannot be given one without a dependency cycle (the state
  // machines reference the task functions).
  const arns = NEEDS_ARNS.has(role) ? stateMachineArnsFor(config, role, journeys) : undefined;
  const catalog = new JourneyCatalog(
    journeys.map((l) => ({
      journey: l.journey,
      stateMachineArn: arns?.[l.journey.id] ?? '',
      templatesDir: l.templatesDir,
    })),
  );
  if (role === 'send') requireEmailSettings(config, journeys);
  return {
    table: new Table(clients.dynamodb ?? defaultDynamoClient(), config.tableName),
    clock: { now: () => Date.now() },
    sfn: sfnPort(clients.sfn),
    catalog,
    senders: {
      sms: snsSmsSender({
        client: clients.sns,
        senderId: config.smsSenderId,
        originationNumber: config.smsOriginationNumber,
      }),
      email: config.sesFromAddress
        ? sesEmailSender({ client: clients.ses, fromAddress: config.sesFromAddress })
        : emailNotConfigured,
      push: snsPushSender({ client: clients.sns }),
    },
    destinations: awsDestinations(config.destinations),
    log: opts.log ?? loggerPort(),
    onTimeline: emitTimelineMetric,
  };
}

let processDeps: Deps | undefined;

/** The Deps of this Lambda process, built on first use from process.env. */
export function lambdaDeps(role: FunctionRole): Deps {
  processDeps ??= buildDeps(awsConfig(), role);
  return processDeps;
}

let dynamoClient: DynamoDBClient | undefined;

function defaultDynamoClient(): DynamoDBClient {
  dynamoClient ??= traced(new DynamoDBClient({}));
  return dynamoClient;
}

/** The bundled journeys; a broken or empty bundle fails the cold start rather than an event. */
function loadBundledJourneys(dir: string): LoadedJourney[] {
  const { loaded, failures } = loadJourneys([dir]);
  if (failures.length) {
    throw new ConfigError(`the journeys in ${dir} are invalid:\n${formatProblems(failures).join('\n')}`);
  }
  if (!loaded.length) throw new ConfigError(`no journeys in ${dir}: the bundle lacks its workflows folder`);
  return loaded;
}

/** The ARN of every bundled journey; a mismatch means the function and its stack disagree. */
function stateMachineArnsFor(config: AwsConfig, role: FunctionRole, journeys: LoadedJourney[]): Record<string, string> {
  const arns = config.stateMachineArns;
  if (!arns) throw new ConfigError(`${ENV.stateMachineArns} is required by the ${role} function`);
  const ids = new Set(journeys.map((l) => l.journey.id));
  const missing = [...ids].filter((id) => !arns[id]);
  const unknown = Object.keys(arns).filter((id) => !ids.has(id));
  if (missing.length || unknown.length) {
    throw new ConfigError(
      `${ENV.stateMachineArns} does not match the bundled journeys: ` +
        `missing ${missing.join(', ') || 'none'}; not bundled ${unknown.join(', ') || 'none'}`,
    );
  }
  return arns;
}

/** Fail the send function's cold start, not each email, when email cannot be sent. */
function requireEmailSettings(config: AwsConfig, journeys: LoadedJourney[]): void {
  if (config.sesFromAddress) return;
  const users = journeys
    .filter((l) => Object.values(l.journey.steps).some((s) => s.type === 'send' && channelsOf(s).includes('email')))
    .map((l) => l.journey.id);
  if (users.length) {
    throw new ConfigError(`${ENV.sesFromAddress} is required: journeys ${users.join(', ')} send email`);
  }
}

const emailNotConfigured: ChannelSender = {
  async send() {
    throw new ConfigError(`${ENV.sesFromAddress} is not set: this deployment cannot send email`);
  },
};

/**
 * Actions and hand-offs go to the configured webhooks and EventBridge buses. Anything else is
 * refused (the journey's onError runs) rather than logged locally as `baton dev` does: on AWS
 * nobody reads that log.
 */
function awsDestinations(config: DestinationsConfig | undefined): DestinationRouter {
  const pick = (c: DestinationConfig | undefined, name: string): Destination => {
    if (c?.type === 'webhook') return webhookDestination(c);
    if (c?.type === 'eventbridge') return eventBridgeDestination(c);
    return unconfigured(name);
  };
  return {
    action: (target) => pick(config?.targets?.[target], target),
    handoff: (channel) => pick(config?.handoffs?.[channel], `handoff.${channel}`),
  };
}
