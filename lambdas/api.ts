/** The HTTP API of SPEC §5 behind API Gateway (IAM-authorized): the same router as `baton dev`. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { lambdaDeps } from '../lib/aws/runtime';
import { awsSfn } from '../lib/aws/sfn';
import { requestOf, resultOf } from '../lib/server/api-gateway';
import { route } from '../lib/server/routes';

/** Request bodies are never logged: they carry profiles and events. */
export const handler = lambdaHandler(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  powertoolsLogger.appendKeys({ method: event.httpMethod, resource: event.resource });
  return resultOf(await route(lambdaDeps('api', { sfn: awsSfn }), requestOf(event), { local: false }));
});
