/** SQS batches with partial failure (ReportBatchItemFailures): only the records that threw are retried. */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** Is this Lambda event an SQS batch (rather than, say, an EventBridge event invoked directly)? */
export function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown }).Records;
  return Array.isArray(records) && records.every((r) => (r as { eventSource?: unknown }).eventSource === 'aws:sqs');
}

/**
 * Process records one after another (in order, which also paces calls downstream) and report the
 * ones that threw, so SQS redelivers those alone and, past maxReceiveCount, dead-letters them.
 */
export async function processBatch(
  event: SQSEvent,
  each: (record: SQSRecord) => Promise<void>,
  onError: (record: SQSRecord, error: unknown) => void,
): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await each(record);
    } catch (error) {
      onError(record, error);
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
