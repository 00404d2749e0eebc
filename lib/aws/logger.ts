/** The functions' Powertools logger, and the Logger port the use cases write to through it. */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Logger } from '../core/ports';
import { redact, redactText } from './redact';

/** One logger per process; the middleware adds the Lambda context to every line. */
export const powertoolsLogger = new PowertoolsLogger({ serviceName: 'baton' });

/** The use cases' Logger port over Powertools; contact details never reach the log. */
export function loggerPort(target: PowertoolsLogger = powertoolsLogger): Logger {
  const extra = (e: Record<string, unknown> | undefined) => (e ? (redact(e) as Record<string, unknown>) : {});
  return {
    info: (message, e) => target.info(redactText(message), extra(e)),
    warn: (message, e) => target.warn(redactText(message), extra(e)),
    error: (message, e) => target.error(redactText(message), extra(e)),
  };
}
