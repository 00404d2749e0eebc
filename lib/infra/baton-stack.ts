/**
 * The Baton stack: the BatonEngine construct and the outputs operators need. Construct ids are
 * kept from when the stack held the resources itself: the engine's id is `Default`, which CDK
 * leaves out of logical ids, so no resource is replaced by the move.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { BatonEngine, type BatonEngineProps } from './baton-engine';

export type { DeadLetters, FunctionName, IngestBuffer } from './baton-engine';

export interface BatonStackProps extends StackProps, BatonEngineProps {}

export class BatonStack extends Stack {
  readonly engine: BatonEngine;

  constructor(scope: Construct, id: string, props: BatonStackProps) {
    super(scope, id, props);
    this.engine = new BatonEngine(this, 'Default', props);
    new CfnOutput(this, 'AlarmTopicArn', { value: this.engine.monitoring.topic.topicArn });
    new CfnOutput(this, 'EventBusName', { value: this.engine.bus.eventBusName });
    new CfnOutput(this, 'TableName', { value: this.engine.table.tableName });
    new CfnOutput(this, 'ApiUrl', { value: this.engine.api.api.url });
    // What docs/operations.md needs to replay dead letters.
    const { ingest, closed } = this.engine.deadLetters;
    new CfnOutput(this, 'IngestQueueArn', { value: ingest.queue.queueArn });
    new CfnOutput(this, 'IngestQueueUrl', { value: ingest.queue.queueUrl });
    new CfnOutput(this, 'IngestFailureQueueArn', { value: ingest.failed.queueArn });
    new CfnOutput(this, 'IngestDeadLetterQueueUrl', { value: ingest.undelivered.queueUrl });
    new CfnOutput(this, 'ClosedFailureQueueUrl', { value: closed.failed.queueUrl });
    new CfnOutput(this, 'ClosedDeadLetterQueueUrl', { value: closed.undelivered.queueUrl });
    new CfnOutput(this, 'ClosedFunctionName', { value: this.engine.functions.closed.functionName });
    new CfnOutput(this, 'MemberBucketName', { value: this.engine.memberBucket.bucketName });
    new CfnOutput(this, 'AudienceScheduleDeadLetterQueueUrl', { value: this.engine.scheduleDeadLetterQueue.queueUrl });
  }

  // The engine's parts, as the stack exposed them before BatonEngine existed.
  get key() {
    return this.engine.key;
  }
  get table() {
    return this.engine.table;
  }
  get bus() {
    return this.engine.bus;
  }
  get functions() {
    return this.engine.functions;
  }
  get api() {
    return this.engine.api;
  }
  get journeys() {
    return this.engine.journeys;
  }
  get deadLetters() {
    return this.engine.deadLetters;
  }
  get monitoring() {
    return this.engine.monitoring;
  }
  get audienceRuns() {
    return this.engine.audienceRuns;
  }
  get memberBucket() {
    return this.engine.memberBucket;
  }
  get scheduleDeadLetterQueue() {
    return this.engine.scheduleDeadLetterQueue;
  }
}
