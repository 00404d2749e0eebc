/**
 * The HTTP API of SPEC §5 on AWS: an API Gateway REST API whose every method requires IAM
 * (SigV4-signed calls from the channel systems' roles), with access logs, proxied to the API
 * function.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface BatonApiProps {
  handler: lambda.IFunction;
}

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
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Baton: events, profiles, hand-off context, timelines and erasure',
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      deployOptions: {
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
      cloudWatchRole: true,
    });
    const integration = new apigateway.LambdaIntegration(props.handler);
    for (const [path, methods] of Object.entries(API_ROUTES)) {
      const resource = this.api.root.resourceForPath(path);
      for (const method of methods) resource.addMethod(method, integration);
    }
  }
}
