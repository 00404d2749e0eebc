/**
 * Secret webhook headers on AWS: the destinations configuration names a Secrets Manager secret or
 * an SSM SecureString parameter per header (lib/channels/header-values.ts); the dispatch function
 * gets read access to exactly those and the Parameters and Secrets extension that reads them
 * (lib/aws/secrets.ts). Plain-text credentials are refused before anything is built.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { DestinationsConfig } from '../channels/destinations';
import {
  isSecretRef,
  PlainTextCredentialError,
  plainCredentials,
  type SecretRef,
  type SecretsManagerRef,
  type SsmSecureStringRef,
} from '../channels/header-values';

/** Refuse a configuration that would put a credential in plain text in the template. */
export function assertNoPlainCredentials(destinations: DestinationsConfig | undefined): void {
  const found = destinations ? plainCredentials(destinations) : [];
  if (found.length) throw new PlainTextCredentialError(found);
}

/** Every secret reference among the webhooks' headers, once each. */
export function secretRefs(destinations: DestinationsConfig | undefined): SecretRef[] {
  const refs = new Map<string, SecretRef>();
  for (const d of [...Object.values(destinations?.targets ?? {}), ...Object.values(destinations?.handoffs ?? {})]) {
    if (d.type !== 'webhook') continue;
    for (const value of Object.values(d.headers ?? {})) {
      if (isSecretRef(value)) refs.set(JSON.stringify(value), value);
    }
  }
  return [...refs.values()];
}

/** The extension that reads the secrets inside the function (arm64 or x86 by the function's architecture). */
export function secretsExtension(): lambda.ParamsAndSecretsLayerVersion {
  return lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
    logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
  });
}

/**
 * Let `grantee` read exactly these secrets and parameters. A secret named without its ARN is
 * matched with the six characters Secrets Manager appends to every secret's ARN.
 */
export function grantSecretReads(scope: Construct, grantee: iam.IGrantable, refs: SecretRef[]): void {
  const stack = Stack.of(scope);
  const secrets = refs.filter((r): r is SecretsManagerRef => 'secret' in r).map((r) => r.secret);
  const parameters = refs.filter((r): r is SsmSecureStringRef => 'ssmSecureString' in r).map((r) => r.ssmSecureString);
  if (secrets.length) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: secrets.map((s) =>
          s.startsWith('arn:')
            ? s
            : stack.formatArn({
                service: 'secretsmanager',
                resource: 'secret',
                resourceName: `${s}-??????`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
        ),
      }),
    );
  }
  if (parameters.length) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: parameters.map((p) =>
          p.startsWith('arn:')
            ? p
            : stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: p.replace(/^\//, '') }),
        ),
      }),
    );
  }
}
