/**
 * The HTTP API of SPEC §5 on AWS: an API Gateway REST API whose every method requires IAM
 * (SigV4-signed calls from the channel systems' roles), with access logs, proxied to the API
 * function.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { InvalidPropsError } from './errors';
import { acknowledgeFinding } from './nag';

/** How many requests the stage takes before answering 429 Too Many Requests. */
export interface BatonApiThrottle {
  /** Steady requests per second. @default 50 */
  rateLimit?: number;
  /** Requests at once above the steady rate (the token bucket's size). @default 100 */
  burstLimit?: number;
}

/**
 * The stage's default limits: far below API Gateway's account quota (10,000/s, shared by every API
 * of the account and region), so one caller's loop cannot take the account's quota, the API
 * function's concurrency or the StartExecution quota (refill 300/s in us-east-1) that ingest
 * needs too. A POST /events may carry 500 events.
 */
export const DEFAULT_API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

export interface BatonApiProps {
  handler: lambda.IFunction;
  /** Encrypts the access log. @default CloudWatch Logs' own encryption */
  encryptionKey?: kms.IKey;
  /** @default DEFAULT_API_THROTTLE */
  throttle?: BatonApiThrottle;
}

/**
 * Bodies API Gateway checks before the function runs: a JSON value of the right kind. The function
 * validates every field itself (and answers field by field), so these stay coarse on purpose.
 */
export const BODY_MODELS: Record<string, { method: string; schema: apigateway.JsonSchema }> = {
  events: {
    method: 'POST',
    schema: {
      schema: apigateway.JsonSchemaVersion.DRAFT4,
      title: 'Events',
      type: [apigateway.JsonSchemaType.OBJECT, apigateway.JsonSchemaType.ARRAY],
    },
  },
  'customers/{id}/profile': {
    method: 'PUT',
    schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, title: 'Profile', type: apigateway.JsonSchemaType.OBJECT },
  },
};

/** The routes, and the methods on each. */
export const API_ROUTES: Record<string, string[]> = {
  events: ['POST'],
  'customers/{id}': ['DELETE'],
  'customers/{id}/profile': ['GET', 'PUT'],
  'customers/{id}/context': ['GET'],
  'customers/{id}/timeline': ['GET'],
  'customers/{id}/consent': ['GET'],
  // Results (SPEC §7): counters read by query, never a scan.
  journeys: ['GET'],
  'journeys/{id}/results': ['GET'],
  'channels/effectiveness': ['GET'],
};

export class BatonApi extends Construct {
  readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: BatonApiProps) {
    super(scope, id);
    const throttle = resolveThrottle(props.throttle);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Baton: events, profiles, hand-off context, timelines, erasure and results',
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      deployOptions: {
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        // Errors of API Gateway itself; never request and response bodies (profiles, events).
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        // Every method of the stage (`/*/*`).
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      },
      cloudWatchRole: true,
    });
    const integration = new apigateway.LambdaIntegration(props.handler);
    const validator = this.api.addRequestValidator('BodyValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    for (const [path, methods] of Object.entries(API_ROUTES)) {
      const resource = this.api.root.resourceForPath(path);
      for (const method of methods) {
        const body = BODY_MODELS[path]?.method === method ? BODY_MODELS[path] : undefined;
        const model = body
          ? this.api.addModel(`${body.schema.title}Model`, { contentType: 'application/json', schema: body.schema })
          : undefined;
        const m = resource.addMethod(method, integration, {
          requestValidator: validator,
          requestModels: model ? { 'application/json': model } : undefined,
        });
        acknowledgeFinding(
          m,
          'AwsSolutions-COG4',
          `${method} /${path} is called by channel systems signing with their IAM roles (SigV4), not by end users: IAM, not Cognito`,
        );
      }
    }
    acknowledgeFinding(
      this.api.deploymentStage,
      'AwsSolutions-APIG3',
      'Every method of this stage requires IAM and the stage is throttled; a WAF web ACL adds cost without a threat it stops, attach one per account',
    );
    acknowledgeFinding(
      this.api.node.findChild('CloudWatchRole'),
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "API Gateway's account-wide logging role: AWS documents this managed policy for it",
    );
  }
}

/**
 * The stage's limits, defaults filled in, checked against API Gateway's: a rate up to the account
 * quota, a whole burst up to the account's bucket.
 */
export function resolveThrottle(given: BatonApiThrottle = {}): Required<BatonApiThrottle> {
  const t = {
    rateLimit: given.rateLimit ?? DEFAULT_API_THROTTLE.rateLimit,
    burstLimit: given.burstLimit ?? DEFAULT_API_THROTTLE.burstLimit,
  };
  if (typeof t.rateLimit !== 'number' || !(t.rateLimit > 0 && t.rateLimit <= 10_000)) {
    throw new InvalidPropsError(
      `apiThrottle.rateLimit (context baton:apiThrottleRate) must be requests per second above 0 and at most 10000 (API Gateway's account quota), found ${t.rateLimit}`,
    );
  }
  if (!Number.isInteger(t.burstLimit) || t.burstLimit < 1 || t.burstLimit > 5000) {
    throw new InvalidPropsError(
      `apiThrottle.burstLimit (context baton:apiThrottleBurst) must be a whole number of requests from 1 to 5000 (API Gateway's account burst), found ${t.burstLimit}`,
    );
  }
  return t;
}
