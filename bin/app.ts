/** The CDK app: composes stacks only; settings come from cdk.json context (`-c key=value` overrides). */
import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type DestinationsConfig, parseDestinations } from '../lib/channels/destinations';
import { BatonStack } from '../lib/infra/baton-stack';

const app = new App();
const setting = (key: string): string | undefined => {
  const v: unknown = app.node.tryGetContext(`baton:${key}`);
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`context baton:${key} must be a string`);
  return v;
};

/** A whole number from context (`-c` gives strings, cdk.json gives numbers). */
function count(key: string): number | undefined {
  const v: unknown = app.node.tryGetContext(`baton:${key}`);
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new Error(`context baton:${key} must be a whole number`);
  return n;
}

/** A number from context, such as a rate (`-c` gives strings, cdk.json gives numbers). */
function decimal(key: string): number | undefined {
  const v: unknown = app.node.tryGetContext(`baton:${key}`);
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new Error(`context baton:${key} must be a number, found ${v}`);
  return n;
}

/** Action targets and hand-off destinations: an object in context `baton:destinations`, validated. */
function destinations(): DestinationsConfig | undefined {
  const raw: unknown = app.node.tryGetContext('baton:destinations');
  if (raw === undefined) return undefined;
  const parsed = parseDestinations(typeof raw === 'string' ? JSON.parse(raw) : raw);
  if (!parsed.ok) throw new Error(`context baton:destinations is not valid: ${parsed.errors.join('; ')}`);
  return parsed.config;
}

// Environment-agnostic on purpose: synth needs no credentials, and the stack makes no lookups.
new BatonStack(app, setting('stackName') ?? 'Baton', {
  projectRoot: resolve(__dirname, '..'),
  workflowsDir: setting('workflowsDir'),
  sesFromAddress: setting('sesFromAddress'),
  smsSenderId: setting('smsSenderId'),
  smsOriginationNumber: setting('smsOriginationNumber'),
  destinations: destinations(),
  alarmEmail: setting('alarmEmail'),
  ingestMaxConcurrency: count('ingestMaxConcurrency'),
  apiThrottle: { rateLimit: decimal('apiThrottleRate'), burstLimit: count('apiThrottleBurst') },
  description: 'Baton: cross-channel customer journeys on Step Functions',
});

// Every synth is checked against the AWS Solutions rules; a finding that is not acknowledged
// (with its reason, beside the resource) fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
