/** The HTTP API of SPEC §5 behind API Gateway (IAM-authorized): the same router as `baton dev`. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { lambdaDeps } from '../lib/aws/runtime';
import { awsSfn } from '../lib/aws/sfn';
import { route } from '../lib/server/routes';

/** Request bodies are never logged: they carry profiles and events. */
export const handler = lambdaHandler(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  powertoolsLogger.appendKeys({ method: event.httpMethod, resource: event.resource });
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query.set(k, v);
  const body =
    event.body == null
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  const result = await route(
    lambdaDeps('api', { sfn: awsSfn }),
    { method: event.httpMethod, path: event.path, query, body },
    { local: false },
  );
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(result.body),
  };
});
