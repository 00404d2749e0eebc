/**
 * lambdas/audience.ts end to end in-process: the real composition root (config from env, journeys
 * from workflows/, DynamoDB through dynalite), with S3 and Step Functions mocked at the AWS
 * boundary. `list` reads the file segment from the S3 object the stack deployed it as and writes
 * the member files to the member bucket; `enter` starts each member's instance on the journey's
 * ARN, once per run however often the batch is retried.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambdas/audience';
import type { EnterResult, RunBatch } from '../../lib/audience/enter';
import type { ListResult, MemberLine } from '../../lib/audience/list';
import type { ObjectStore } from '../../lib/audience/object-store';
import { parseSegmentFile } from '../../lib/audience/segment-file';
import { awsAudiencePorts } from '../../lib/aws/audience';
import { ConfigError } from '../../lib/aws/config';
import { JourneyCatalog } from '../../lib/core/catalog';
import type { Deps } from '../../lib/core/ports';
import { loadJourneys } from '../../lib/journey/load';
import { arnOf, useLambdaEnv, WORKFLOWS } from './lambda-env';

const MEMBERS = 'baton-members-test';
const SEGMENTS = 'cdk-assets-test';
const SEGMENT_KEY = 'abc123.jsonl';
const SEGMENT = readFileSync(join(WORKFLOWS, 'audiences', 'lapsed-customers.jsonl'), 'utf8');
const RUN_AT = '2026-12-01T15:00:00Z';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
/** The objects "in S3": bucket/key → body. */
const objects = new Map<string, string>();

const context = {
  functionName: 'baton-audience',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as Context;

const savedEnv = { ...process.env };
useLambdaEnv('baton-audience-test');
beforeAll(() => {
  Object.assign(process.env, {
    MEMBER_BUCKET: MEMBERS,
    SEGMENT_OBJECTS: JSON.stringify({
      'lapsed-win-back': { 'audiences/lapsed-customers.jsonl': { bucket: SEGMENTS, key: SEGMENT_KEY } },
    }),
  });
});
afterAll(() => {
  process.env = savedEnv;
});

beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
  objects.clear();
  objects.set(`${SEGMENTS}/${SEGMENT_KEY}`, SEGMENT);
  s3Mock.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: string }) => {
    objects.set(`${input.Bucket}/${input.Key}`, input.Body);
    return {};
  });
  s3Mock.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const body = objects.get(`${input.Bucket}/${input.Key}`);
    if (body === undefined) throw new NoSuchKey({ $metadata: {}, message: 'The specified key does not exist.' });
    return { Body: { transformToString: async () => body } };
  });
  sfnMock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
});

const list = () =>
  handler({ op: 'list', journey: 'lapsed-win-back', version: 1, runAt: RUN_AT }, context) as Promise<ListResult>;

test('list reads the file segment from its deployed S3 object and writes the member files to the member bucket', async () => {
  const listed = await list();

  const ids = parseSegmentFile(SEGMENT).ids;
  expect(listed.bucket).toBe(MEMBERS);
  expect(listed.groups.reduce((n, g) => n + g.count, 0)).toBe(ids.length);
  expect(s3Mock.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: SEGMENTS, Key: SEGMENT_KEY });
  const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
  expect(puts.map((p) => [p.Bucket, p.Key])).toEqual(listed.groups.map((g) => [MEMBERS, g.key]));
  const lines = puts.flatMap((p) =>
    String(p.Body)
      .split('\n')
      .filter((l) => l)
      .map((l) => JSON.parse(l) as MemberLine),
  );
  // File order, each member once: what the run's Map reads back in batches.
  expect(lines.map((l) => l.customerId)).toEqual(ids);
});

test('enter starts each member of a batch on the journey, and a retried batch starts nobody twice', async () => {
  const listed = await list();
  const first = listed.groups[0];
  const items = (objects.get(`${MEMBERS}/${first.key}`) ?? '')
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l) as MemberLine);
  const batch: RunBatch = { Items: items, BatchInput: { journey: 'lapsed-win-back', version: 1, runAt: RUN_AT } };

  const out = (await handler({ op: 'enter', batch }, context)) as EnterResult;
  const again = (await handler({ op: 'enter', batch }, context)) as EnterResult;

  const starts = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
  expect(out.entered + Object.values(out.ignored).reduce((a, b) => a + b, 0)).toBe(items.length);
  expect(out.entered).toBeGreaterThan(0);
  expect(starts.every((s) => s.stateMachineArn === arnOf('lapsed-win-back'))).toBe(true);
  expect(new Set(starts.map((s) => s.name)).size).toBe(out.entered);
  expect(starts).toHaveLength(out.entered);
  expect(again).toEqual(out);
});

test('a member bucket S3 refuses fails the op with the bucket and key named, and the SDK error kept', async () => {
  const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
  s3Mock.on(PutObjectCommand).rejects(denied);

  await expect(list()).rejects.toMatchObject({
    name: 'Baton.ObjectStoreError',
    message: expect.stringContaining(`s3://${MEMBERS}/runs/lapsed-win-back/`),
    cause: denied,
  });
});

describe('the cold start refuses a deployment that cannot run its audiences', () => {
  const catalog = new JourneyCatalog(
    loadJourneys([WORKFLOWS]).loaded.map((l) => ({
      journey: l.journey,
      stateMachineArn: arnOf(l.journey.id),
      templatesDir: l.templatesDir,
    })),
  );
  const deps = { catalog } as Deps;
  const none: ObjectStore = { put: async () => {}, get: async () => undefined };

  test('without a member bucket', () => {
    expect(() => awsAudiencePorts(deps, { tableName: 't', journeysDir: WORKFLOWS }, none)).toThrow(
      'MEMBER_BUCKET is required by the audience function',
    );
  });

  test('when a file segment was not deployed as an S3 object', () => {
    const config = { tableName: 't', journeysDir: WORKFLOWS, memberBucket: MEMBERS, segmentObjects: {} };
    expect(() => awsAudiencePorts(deps, config, none)).toThrow(
      new ConfigError(
        'SEGMENT_OBJECTS names no S3 object for the file segments of lapsed-win-back (audiences/lapsed-customers.jsonl)',
      ),
    );
  });
});
