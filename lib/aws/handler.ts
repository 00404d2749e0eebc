/** The middy wiring every Baton function shares (CONVENTIONS.md 4: thin handlers). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { powertoolsLogger } from './logger';
import { tracer } from './tracer';

/** Wrap one use case call as a Lambda handler with the Powertools logger's context and X-Ray tracing. */
export function lambdaHandler<TEvent, TResult>(
  fn: (event: TEvent, context: Context) => Promise<TResult>,
): MiddyfiedHandler<TEvent, TResult, Error, Context> {
  // Never log the event: it can carry personal data. Keys appended per invocation are reset.
  return (
    middy<TEvent, TResult, Error, Context>(fn)
      .use(injectLambdaContext(powertoolsLogger, { logEvent: false, resetKeys: true }))
      // Responses and errors can carry personal data: the trace keeps neither.
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
  );
}
