/** The rules of the ids and channel names the API takes, shared by events, profiles and paths. */
import { show } from '../journey/schema';

/**
 * The rule of every id the API takes (event, customer, session), in a body or in a path: short and
 * plain, so `C#<id>` stays far inside DynamoDB's 2,048-byte partition key and no id needs escaping.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$/;

/** Why `value` is not a valid id, naming it `what`; undefined when it is one. */
export function idProblem(what: string, value: unknown): string | undefined {
  if (typeof value === 'string' && ID_PATTERN.test(value)) return undefined;
  const length = typeof value === 'string' && value.length > 128 ? `${value.length} characters: ` : '';
  return `${what} must be 1-128 characters of letters, digits and ._:@+=- starting with a letter or digit, found ${length}${show(value)}`;
}

/** A channel: web, app, email, sms, push, phone, chat, store, social or another lower-case word. */
export const CHANNEL_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
