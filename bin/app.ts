/** The CDK app: composes stacks only; settings come from cdk.json context (`-c key=value` overrides). */
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { type DestinationsConfig, parseDestinations } from '../lib/channels/destinations';
import { BatonStack } from '../lib/infra/baton-stack';

const app = new App();
const setting = (key: string): string | undefined => {
  const v: unknown = app.node.tryGetContext(`baton:${key}`);
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`context baton:${key} must be a string`);
  return v;
};

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
  description: 'Baton: cross-channel customer journeys on Step Functions',
});
