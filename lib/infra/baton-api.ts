/**
 * The HTTP API of SPEC §5 on AWS: an API Gateway REST API whose every method requires IAM
 * (SigV4-signed calls from the channel systems' roles), with access logs, proxied to the API
 * function.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface BatonApiProps {
  handler: lambda.IFunction;
  /** Encrypts the access log. @default CloudWatch Logs' own encryption */
  encryptionKey?: kms.IKey;
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
};

export class BatonApi extends Construct {
  readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: BatonApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Baton: events, profiles, hand-off context, timelines and erasure',
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      deployOptions: {
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        // Errors of API Gateway itself; never request and response bodies (profiles, events).
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
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
        resource.addMethod(method, integration, {
          requestValidator: validator,
          requestModels: model ? { 'application/json': model } : undefined,
        });
      }
    }
    const v = Validations.of(this);
    v.acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Callers are channel systems signing with their IAM roles (SigV4), not end users: IAM, not Cognito',
    });
    v.acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'Every method requires IAM; a WAF web ACL adds cost without a threat it stops, attach one per account',
    });
    v.acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account-wide logging role: AWS documents this managed policy for it",
    });
  }
}
