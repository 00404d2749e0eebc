/** The request and answer every transport of the API speaks (the local server, API Gateway). */
import type { FieldError } from '../core/envelope';
import { show } from '../journey/schema';

/** A request as any transport hands it over: the local server, or API Gateway. */
export interface ApiRequest {
  method: string;
  /** The path as sent, still percent-encoded: each parameter is decoded once, on its own. */
  path: string;
  query: URLSearchParams;
  /** The raw body, when there is one. */
  body?: string;
  /** The Content-Type header, when there is one. */
  contentType?: string;
}

export interface ApiResponse {
  status: number;
  /** JSON, or the text of `contentType`; none for a 204. */
  body: unknown;
  /** Set for a body that is not JSON (the local console's page): the body is then sent as is. */
  contentType?: string;
  /** Headers beyond the content type: `Allow` on a 405 or an OPTIONS answer. */
  headers?: Record<string, string>;
}

/** An error answer: `{error: {code, message, errors?}}`. */
export function errorBody(status: number, code: string, message: string, errors?: FieldError[]): ApiResponse {
  return { status, body: { error: { code, message, ...(errors ? { errors } : {}) } } };
}

/** The answer to OPTIONS on a known path: the methods it takes, and no CORS grant to anyone. */
export function optionsAnswer(allowed: string[]): ApiResponse {
  return { status: 204, body: undefined, headers: { allow: allowed.join(', ') } };
}

/** 405 for a known path asked with a method it does not take, with `Allow`. */
export function methodNotAllowed(method: string, path: string, allowed: string[]): ApiResponse {
  return {
    ...errorBody(405, 'method-not-allowed', `${method} is not allowed on ${path}; use ${allowed.join(', ')}`),
    headers: { allow: allowed.join(', ') },
  };
}

/**
 * Whether a Content-Type names JSON: `application/json`, any case, with at most a UTF-8 charset
 * (JSON is UTF-8; a browser's cross-site "simple" request can never send this type).
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => {
    const [name, value] = p.split('=').map((x) => x.trim());
    return name !== 'charset' || value === 'utf-8' || value === 'utf8' || value === '"utf-8"';
  });
}

/** 415 for a body that is not said to be JSON. */
export function unsupportedMediaType(contentType: string | undefined): ApiResponse {
  return errorBody(
    415,
    'unsupported-media-type',
    `a request body must be sent with Content-Type: application/json (charset utf-8 if any), found ${contentType ? show(contentType) : 'none'}`,
  );
}
