/**
 * A Baton Lambda function: Node.js 22 on arm64, bundled locally by esbuild (never Docker) with
 * the workflows folder (journeys and templates) copied beside index.js, where it is loaded at run
 * time. The bundle is what the tests ran: the AWS SDK is bundled, not taken from the runtime. The
 * esbuild options are LAMBDA_BUNDLE's (lambda-bundle.ts), which bench/cold-start.ts measures.
 */
import { join, relative, resolve } from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LAMBDA_BUNDLE, LAMBDA_NODE_OPTIONS } from './lambda-bundle';

export interface BatonFunctionProps {
  /** The folder holding package-lock.json and the entry file. */
  projectRoot: string;
  /** The handler file, e.g. <projectRoot>/lambdas/send.ts. */
  entry: string;
  /** The journeys folder (with templates/), relative to projectRoot. */
  workflowsDir: string;
  timeout: Duration;
  environment: Record<string, string>;
  /** @default 512 */
  memorySize?: number;
  /** @default one month */
  logRetention?: logs.RetentionDays;
  /** Encrypts the function's log group. @default CloudWatch Logs' own encryption */
  encryptionKey?: kms.IKey;
  /** The Parameters and Secrets extension, for a function that reads secrets. @default none */
  paramsAndSecrets?: lambda.ParamsAndSecretsLayerVersion;
}

export class BatonFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: BatonFunctionProps) {
    const from = relative(props.projectRoot, resolve(props.projectRoot, props.workflowsDir));
    if (from.startsWith('..') || from === '') {
      throw new Error(`workflowsDir ${props.workflowsDir} must be a folder inside ${props.projectRoot}`);
    }
    super(scope, id, {
      entry: props.entry,
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      environment: { NODE_OPTIONS: LAMBDA_NODE_OPTIONS, ...props.environment },
      // The Powertools tracer records the handler and its SDK calls; metrics go out as EMF logs.
      tracing: lambda.Tracing.ACTIVE,
      paramsAndSecrets: props.paramsAndSecrets,
      logGroup: new logs.LogGroup(scope, `${id}Logs`, {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        encryptionKey: props.encryptionKey,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      bundling: {
        forceDockerBundling: false,
        logLevel: nodejs.LogLevel.WARNING,
        // CDK always bundles for platform node.
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: LAMBDA_BUNDLE.sourcemap,
        sourcesContent: LAMBDA_BUNDLE.sourcesContent,
        target: LAMBDA_BUNDLE.target,
        format: LAMBDA_BUNDLE.format === 'cjs' ? nodejs.OutputFormat.CJS : nodejs.OutputFormat.ESM,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        bundleAwsSDK: true,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // Relative to inputDir, so the same command works wherever the project is bundled.
          afterBundling: (inputDir: string, outputDir: string) => [
            `cp -R "${join(inputDir, from)}" "${join(outputDir, 'workflows')}"`,
          ],
        },
      },
    });
  }
}
