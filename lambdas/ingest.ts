/** Ingest: one EventBridge event whose detail is a Baton envelope (SPEC §1). */
import type { EventBridgeEvent } from 'aws-lambda';
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { redact } from '../lib/aws/redact';
import { lambdaDeps } from '../lib/aws/runtime';
import { type FieldError, parseEnvelope } from '../lib/core/envelope';
import { type IngestStatus, ingest } from '../lib/core/ingest';

export type IngestResult = { status: IngestStatus } | { status: 'rejected'; errors: FieldError[] };

/**
 * A rejected envelope is answered, not thrown: no retry can fix it. Internal errors are thrown so
 * that Lambda and EventBridge retry, then dead-letter, the event.
 */
export const handler = lambdaHandler(async (event: EventBridgeEvent<string, unknown>): Promise<IngestResult> => {
  const parsed = parseEnvelope(event.detail);
  if (!parsed.ok) {
    // Field paths only: the messages echo the values found, which may be personal data.
    powertoolsLogger.warn('event rejected', {
      eventBridgeId: event.id,
      source: event.source,
      detailType: event['detail-type'],
      fields: parsed.errors.map((e) => e.path),
    });
    return { status: 'rejected', errors: redact(parsed.errors) as FieldError[] };
  }
  powertoolsLogger.appendKeys({ eventId: parsed.event.id, eventType: parsed.event.type });
  return { status: await ingest(lambdaDeps('ingest'), parsed.event) };
});
