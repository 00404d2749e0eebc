/**
 * The Lambda composition root (the AWS twin of lib/local/runtime.ts): the same use cases, wired to
 * DynamoDB, Step Functions, SNS and SES. Deps are built once per process, on the first invocation,
 * from the journeys bundled beside the code, so every function serves the same journey versions
 * as the state machines deployed with it.
 *
 * Each function is given only the AWS ports its use cases call (ROLE_PORTS), by its handler file:
 * this module imports no Step Functions, SNS, SES or EventBridge client, so a function's bundle
 * carries only the clients it uses (lambdas/send.ts the senders, lambdas/dispatch.ts the
 * destinations, and so on), which keeps its size and its cold start down.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DestinationRouter } from '../channels/destinations';
import { JourneyCatalog } from '../core/catalog';
import type { ChannelSender, Deps, Logger, StepFunctionsPort } from '../core/ports';
import type { HandlerName } from '../journey/compile';
import { formatProblems, type LoadedJourney, loadJourneys } from '../journey/load';
import { channelsOf } from '../journey/steps';
import { DynamoTable } from '../store/dynamo-table';
import { type AwsConfig, awsConfig, ConfigError, ENV } from './config';
import { loggerPort } from './logger';
import { emitTimelineMetric } from './metrics';
import { traced } from './tracer';

/**
 * The function a process runs: ingest, closed (executions that ended outside their end step), the
 * API, audience (the ops of audience runs), or one of the compiled state machines' task handlers.
 */
export type FunctionRole = 'ingest' | 'closed' | 'api' | 'audience' | HandlerName;

/**
 * Roles that look journeys up by state machine ARN; task handlers never do. The audience function
 * starts members' instances, and only audience runs (never journeys) call it, so it may know them.
 */
const NEEDS_ARNS: ReadonlySet<FunctionRole> = new Set(['ingest', 'closed', 'api', 'audience']);

/** SDK clients to use instead of the process defaults (tests). */
export interface AwsClients {
  dynamodb?: DynamoDBClient;
  sfn?: SFNClient;
  sns?: SNSClient;
  ses?: SESv2Client;
}

/**
 * The AWS ports only some functions call, as factories: awsSfn (lib/aws/sfn.ts), awsSenders
 * (lib/aws/senders.ts) and awsDestinations (lib/aws/destinations.ts).
 */
export interface AwsPorts {
  sfn: (clients: AwsClients) => StepFunctionsPort;
  senders: (config: AwsConfig, clients: AwsClients) => Deps['senders'];
  destinations: (config: AwsConfig) => DestinationRouter;
}

/**
 * The ports each function's use cases call: Step Functions by entry, ingest, erasure and
 * escalation wake-ups (ingest, api), the senders by send, the destinations by dispatch. Each
 * role's IAM matches (lib/infra/baton-engine.ts): step's escalation checks read and write the
 * table only, so step has no Step Functions permission and no port.
 */
export const ROLE_PORTS = {
  ingest: ['sfn'],
  api: ['sfn'],
  // Entering a member starts their instance; its S3 port (member files) is lambdas/audience.ts's own.
  audience: ['sfn'],
  step: [],
  closed: [],
  park: [],
  send: ['senders'],
  dispatch: ['destinations'],
} as const satisfies Record<FunctionRole, readonly (keyof AwsPorts)[]>;

/** The ports a function of this role must be given. */
export type PortsOf<R extends FunctionRole> = Pick<AwsPorts, (typeof ROLE_PORTS)[R][number]>;

export interface BuildOptions {
  clients?: AwsClients;
  log?: Logger;
}

/** Build the use cases' Deps for one function from its configuration and its role's ports. */
export function buildDeps<R extends FunctionRole>(
  config: AwsConfig,
  role: R,
  ports: PortsOf<R>,
  opts: BuildOptions = {},
): Deps {
  const clients = opts.clients ?? {};
  const given: Partial<AwsPorts> = ports;
  const wanted: readonly (keyof AwsPorts)[] = ROLE_PORTS[role];
  const missing = wanted.filter((p) => !given[p]);
  if (missing.length) throw new Error(`the ${role} function was not given its ${missing.join(', ')} port`);
  const port = <P extends keyof AwsPorts>(p: P): AwsPorts[P] | undefined => (wanted.includes(p) ? given[p] : undefined);
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
    table: new DynamoTable(clients.dynamodb ?? defaultDynamoClient(), config.tableName),
    clock: { now: () => Date.now() },
    sfn: port('sfn')?.(clients) ?? notGiven.sfn(role),
    catalog,
    senders: port('senders')?.(config, clients) ?? notGiven.senders(role),
    destinations: port('destinations')?.(config) ?? notGiven.destinations(role),
    log: opts.log ?? loggerPort(),
    onTimeline: emitTimelineMetric,
  };
}

let processDeps: Deps | undefined;

/** The Deps of this Lambda process, built on first use from process.env. */
export function lambdaDeps<R extends FunctionRole>(role: R, ports: PortsOf<R>): Deps {
  processDeps ??= buildDeps(awsConfig(), role, ports);
  return processDeps;
}

let dynamoClient: DynamoDBClient | undefined;

function defaultDynamoClient(): DynamoDBClient {
  dynamoClient ??= traced(new DynamoDBClient({}));
  return dynamoClient;
}

/** A port a function was not given (ROLE_PORTS says its use cases never call it): every call fails. */
const notGiven = {
  sfn(role: FunctionRole): StepFunctionsPort {
    const fail = () => refuse(role, 'Step Functions');
    return { startExecution: fail, sendTaskSuccess: fail, stopExecution: fail };
  },
  senders(role: FunctionRole): Deps['senders'] {
    const sender: ChannelSender = { send: () => refuse(role, 'channel senders') };
    return { sms: sender, email: sender, push: sender };
  },
  destinations(role: FunctionRole): DestinationRouter {
    const destination = { deliver: () => refuse(role, 'destinations') };
    return { action: () => destination, handoff: () => destination };
  },
};

async function refuse(role: FunctionRole, what: string): Promise<never> {
  throw new Error(`the ${role} function has no ${what} (see ROLE_PORTS in lib/aws/runtime.ts)`);
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
