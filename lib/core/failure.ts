/**
 * Why an instance failed, as its `exited` line says it (SPEC §4: a failed exit says why in
 * `error`): the error name and its message, e.g. "Baton.TemplateError: Liquid: tag {% if %} not
 * closed at line 3 of cart-nudge.email.liquid". Messages come from Baton's handlers and the
 * engine, which never put profile data in them; email addresses and phone numbers are masked all
 * the same, since a provider's or a library's message might quote one.
 */
import { redactText } from '../aws/redact';

/** Long enough for any message Baton writes; a stack trace or a quoted payload is cut. */
const MAX_LENGTH = 300;

/** The error of a failed step or execution: its name, and the message in its cause. */
export function failureText(error: string | undefined, cause: unknown): string {
  const message = messageOf(cause);
  const text = [error || 'Error', message].filter(Boolean).join(': ').replace(/\s+/g, ' ').trim();
  const masked = redactText(text);
  return masked.length > MAX_LENGTH ? `${masked.slice(0, MAX_LENGTH - 1)}…` : masked;
}

/** A Lambda's cause is JSON with errorMessage; the engine's and Step Functions' own causes are text. */
function messageOf(cause: unknown): string | undefined {
  if (typeof cause !== 'string' || !cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: the cause is the message.
  }
  return cause;
}
