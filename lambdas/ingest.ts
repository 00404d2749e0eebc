/**
 * Ingest: SQS batches buffered between the Baton bus and this function, each record's body an
 * EventBridge event whose detail is a Baton envelope (SPEC §1). An EventBridge event invoked
 * directly is accepted too.
 */
import type { EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { redact, redactText } from '../lib/aws/redact';
import { lambdaDeps } from '../lib/aws/runtime';
import { awsSfn } from '../lib/aws/sfn';
import { isSqsEvent, processBatch } from '../lib/aws/sqs-batch';
import { type FieldError, parseEnvelope } from '../lib/core/envelope';
import { type IngestStatus, ingest } from '../lib/core/ingest';

export type IngestResult = { status: IngestStatus } | { status: 'rejected'; errors: FieldError[] };
type BusEvent = EventBridgeEvent<string, unknown>;

/**
 * A rejected envelope is answered (and, in a batch, dropped), not thrown: no retry can fix it.
 * Internal errors are thrown so that the record is retried, then dead-lettered.
 */
async function ingestBusEvent(event: BusEvent): Promise<IngestResult> {
  const deps = lambdaDeps('ingest', { sfn: awsSfn });
  const parsed = parseEnvelope(event.detail, deps.clock.now());
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
  try {
    return { status: await ingest(deps, parsed.event) };
  } finally {
    powertoolsLogger.removeKeys(['eventId', 'eventType']);
  }
}

/** A body that is not JSON is as unfixable as a rejected envelope: logged and dropped. */
function busEventOf(body: string): BusEvent | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as BusEvent) : undefined;
  } catch {
    return undefined;
  }
}

export const handler = lambdaHandler(async (event: SQSEvent | BusEvent): Promise<SQSBatchResponse | IngestResult> => {
  if (!isSqsEvent(event)) return ingestBusEvent(event);
  return processBatch(
    event,
    async (record) => {
      const busEvent = busEventOf(record.body);
      if (busEvent) await ingestBusEvent(busEvent);
      else
        powertoolsLogger.warn('record dropped: its body is not an EventBridge event', { messageId: record.messageId });
    },
    (record, error) =>
      powertoolsLogger.error('record failed; SQS will redeliver it', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error instanceof Error ? { name: error.name, message: redactText(error.message) } : 'unknown',
      }),
  );
});
