/** API Gateway's proxy events as the router's requests and answers, so the API Lambda stays wiring. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ApiRequest, ApiResponse } from './response';

/** The request of an API Gateway (REST, proxy) event; its path arrives still percent-encoded. */
export function requestOf(event: APIGatewayProxyEvent): ApiRequest {
  // Every value of a repeated parameter, so the router refuses the repetition as it does locally.
  const query = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [k, vs] of Object.entries(multi)) for (const v of vs ?? []) query.append(k, v);
  } else for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query.set(k, v);
  const contentType = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const body = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  return { method: event.httpMethod, path: event.path, query, body: body || undefined, contentType };
}

/** The router's answer as API Gateway's result (JSON, or nothing for a 204). */
export function resultOf(response: ApiResponse): APIGatewayProxyResult {
  const empty = response.status === 204;
  return {
    statusCode: response.status,
    headers: { ...(empty ? {} : { 'content-type': 'application/json' }), ...response.headers },
    body: empty ? '' : JSON.stringify(response.body),
  };
}
