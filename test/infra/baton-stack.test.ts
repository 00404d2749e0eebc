/**
 * Template assertions for the Baton stack, synthesized once (bundling runs esbuild once per function).
 * The state machine test is the proof that what CDK deploys is exactly what `baton compile` prints.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { App, type CfnElement, CfnResource, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { AUDIENCE_PLACEHOLDER, compileRun } from '../../lib/audience/compile-run';
import { TABLE_ACCESS } from '../../lib/aws/table-access';
import type { DestinationsConfig } from '../../lib/channels/destinations';
import { PlainTextCredentialError } from '../../lib/channels/header-values';
import { BatonStack, type FunctionName } from '../../lib/infra/baton-stack';
import { runSchedule } from '../../lib/infra/run-schedule';
import { compileJourney, HANDLER_PLACEHOLDERS, type HandlerName, renderAsl } from '../../lib/journey/compile';
import { loadJourneys } from '../../lib/journey/load';

const ROOT = resolve(__dirname, '../..');
const FUNCTIONS: FunctionName[] = ['ingest', 'closed', 'api', 'audience', 'send', 'park', 'step', 'dispatch'];
/** A webhook whose credentials are references (Secrets Manager, SSM), beside a plain header and a bus. */
const DESTINATIONS: DestinationsConfig = {
  targets: {
    'call-center.callback': {
      type: 'webhook',
      url: 'https://cc.example.com/callbacks',
      headers: {
        Authorization: { secret: 'baton/cc-token' },
        'X-Api-Key': { ssmSecureString: '/baton/cc-key' },
        'X-Team': 'growth',
      },
    },
  },
  handoffs: { phone: { type: 'eventbridge', busName: 'contact-center' } },
};

/** The synth's time: audience schedules are worked out as of then. */
const NOW = Date.parse('2026-11-24T09:00:00Z');
let stack: BatonStack;
let template: Template;
let assemblyDir: string;
let synthError: unknown;

beforeAll(() => {
  assemblyDir = mkdtempSync(join(tmpdir(), 'baton-infra-'));
  const app = new App({ outdir: assemblyDir });
  // cdk-nag's AWS Solutions pack fails synthesis on any finding that is not acknowledged.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  stack = new BatonStack(app, 'Test', {
    projectRoot: ROOT,
    sesFromAddress: 'journeys@example.com',
    smsOriginationNumber: '+15550001111',
    alarmEmail: 'ops@example.com',
    destinations: DESTINATIONS,
    now: NOW,
  });
  template = Template.fromStack(stack);
  try {
    app.synth();
  } catch (e) {
    synthError = e;
  }
});

/** The logical id of a construct's CloudFormation resource. */
const ref = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
const resource = (c: IConstruct) => template.toJSON().Resources[ref(c)];
const arnOf = (name: FunctionName) => ({ 'Fn::GetAtt': [ref(stack.functions[name]), 'Arn'] });

/** Statements of the inline policies attached to a role. */
function statementsOfRole(roleLogicalId: string): { Action: string | string[]; Resource: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}
/** The task functions a compiled document calls, read from its `${...}` placeholders. */
const HANDLER_OF = new Map(Object.entries(HANDLER_PLACEHOLDERS).map(([h, p]) => [p as string, h as HandlerName]));
function handlersIn(definition: string): HandlerName[] {
  const names = [...new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]))];
  return names.map((n) => {
    const h = HANDLER_OF.get(n);
    if (!h) throw new Error(`placeholder \${${n}} names no task function`);
    return h;
  });
}
const sorted = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();

const actionsOf = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
/** The role of a function (Role) or a state machine (RoleArn). */
const roleOf = (c: IConstruct): string => {
  const p = resource(c).Properties;
  return (p.Role ?? p.RoleArn)['Fn::GetAtt'][0];
};

test('cdk-nag (AWS Solutions) reports no finding that is not acknowledged', () => {
  const report = join(assemblyDir, 'validation-report.json');
  const violations = existsSync(report)
    ? (
        JSON.parse(readFileSync(report, 'utf8')) as {
          pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
        }
      ).pluginReports.flatMap((p) =>
        p.violations.map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`),
      )
    : [];
  expect(violations).toEqual([]);
  expect(synthError).toBeUndefined();
});

test('every acknowledged cdk-nag rule says why', () => {
  const acknowledged = stack.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, string>));
  expect(acknowledged.length).toBeGreaterThan(0);
  // A specific reason, not a shrug: at least a sentence.
  const vague = acknowledged.filter(([, reason]) => typeof reason !== 'string' || reason.length < 40);
  expect(vague).toEqual([]);
});

test('each cdk-nag acknowledgement names one finding on one resource, and that finding is real', () => {
  const acknowledgements = stack.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.keys(m.data as Record<string, string>))
      .map((id) => ({ construct: c, finding: `${c.node.path} ${id.replace(/^annotation::/i, '')}` })),
  );
  // On a construct above the resource (a function, the API, the stack), one would cover every
  // resource beneath it, including those added later.
  expect(acknowledgements.filter((a) => !CfnResource.isCfnResource(a.construct)).map((a) => a.finding)).toEqual([]);
  // What the AWS Solutions rules find with every acknowledgement ignored: each is acknowledged
  // exactly once, by its own id (`rule[finding]` for rules that report several), and nothing else is.
  const pack = new AwsSolutionsChecks();
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  const findings = pack
    .validateScope(stack)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${r.constructPath} ${v.ruleName}`));
  expect(findings.length).toBeGreaterThan(0);
  expect(acknowledgements.map((a) => a.finding).sort()).toEqual(findings.sort());
});

test('BatonEngine keeps the logical ids the stack had before it (construct id Default)', () => {
  // A changed logical id replaces the resource: for the retained table, a new empty one.
  expect(stack.engine.node.id).toBe('Default');
  expect(ref(stack.table)).toBe('TableCD117FA1');
  expect(ref(stack.functions.ingest)).toMatch(/^IngestFunction[0-9A-F]{8}$/);
  expect(ref(stack.journeys['cart-recovery'].stateMachine)).toMatch(/^JourneycartrecoveryStateMachine[0-9A-F]{8}$/);
});

test.each([0, 1, 2.5, 1001])('ingestMaxConcurrency %p is refused before anything is built', (n) => {
  expect(() => new BatonStack(new App(), 'Bad', { projectRoot: ROOT, ingestMaxConcurrency: n })).toThrow(
    /ingestMaxConcurrency must be an integer from 2 to 1000/,
  );
});

test('the table has pk/sk string keys, GSI gsi1, TTL on expiresAt, on-demand billing and PITR', () => {
  template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
  template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: Match.arrayWith([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
    ]),
    GlobalSecondaryIndexes: [
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    BillingMode: 'PAY_PER_REQUEST',
    Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
  });
});

test('one customer-managed, rotated key encrypts the table, every queue and every log group', () => {
  template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  const key = { 'Fn::GetAtt': [ref(stack.key), 'Arn'] };
  template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: key } })],
  });
  const queues = Object.values(template.findResources('AWS::SQS::Queue'));
  expect(queues.length).toBeGreaterThan(0);
  for (const q of queues) expect(q.Properties.KmsMasterKeyId).toEqual(key);
  const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
  expect(logGroups.length).toBeGreaterThan(0);
  for (const g of logGroups) expect(g.Properties.KmsKeyId).toEqual(key);
  // CloudWatch Logs may use the key for this account's log groups only.
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
        }),
      ]),
    },
  });
});

test('every event on the bus goes to the ingest buffer queue, with retries and an SQS dead-letter queue', () => {
  const buffer = stack.deadLetters.ingest;
  template.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: { Ref: ref(stack.bus) },
    EventPattern: { source: [{ prefix: '' }] },
    Targets: [
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [ref(buffer.queue), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ref(buffer.undelivered), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      }),
    ],
  });
});

test('ingest drains the buffer in batches, reports failed records alone, at bounded concurrency', () => {
  const buffer = stack.deadLetters.ingest;
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionName: { Ref: ref(stack.functions.ingest) },
    EventSourceArn: { 'Fn::GetAtt': [ref(buffer.queue), 'Arn'] },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    ScalingConfig: { MaximumConcurrency: 10 },
    BatchSize: 10,
  });
  // Records that keep failing end in the failure queue; the visibility timeout outlasts retries.
  expect(resource(buffer.queue).Properties).toMatchObject({
    RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [ref(buffer.failed), 'Arn'] }, maxReceiveCount: 5 },
    VisibilityTimeout: 180,
  });
  // Invoked synchronously by the event source: no async invoke config for ingest.
  const asyncConfigs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
  expect(asyncConfigs.map((c) => c.Properties.FunctionName)).not.toContainEqual({ Ref: ref(stack.functions.ingest) });
});

test('failed and timed-out journey executions go to closed, with retries and a dead-letter queue', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: Match.absent(),
    EventPattern: {
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT'],
        stateMachineArn: Object.values(stack.journeys).map((m) => ({ Ref: ref(m.stateMachine) })),
      },
    },
    Targets: [
      Match.objectLike({
        Arn: arnOf('closed'),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ref(stack.deadLetters.closed.undelivered), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      }),
    ],
  });
});

test.each(['closed'] as const)('%s: Lambda async retries end in a failure queue, not dropped', (name) => {
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: ref(stack.functions[name]) },
    MaximumRetryAttempts: 2,
    DestinationConfig: {
      OnFailure: { Destination: { 'Fn::GetAtt': [ref(stack.deadLetters[name].failed), 'Arn'] } },
    },
  });
});

test('each function runs Node.js 22 on arm64', () => {
  template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
  for (const name of FUNCTIONS) {
    expect(resource(stack.functions[name]).Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
    });
  }
});

test('each bundle carries the journeys and templates it loads at run time', () => {
  for (const name of FUNCTIONS) {
    const key = resource(stack.functions[name]).Properties.Code.S3Key as string;
    const bundle = join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
    expect(existsSync(join(bundle, 'index.js'))).toBe(true);
    expect(existsSync(join(bundle, 'workflows', 'cart-recovery.json'))).toBe(true);
    expect(existsSync(join(bundle, 'workflows', 'templates', 'cart-nudge.email.liquid'))).toBe(true);
  }
});

describe('journey state machines', () => {
  const { loaded, failures } = loadJourneys([join(ROOT, 'workflows')]);

  test('the workflows folder loads without problems', () => {
    expect(failures).toEqual([]);
    expect(loaded.length).toBeGreaterThan(0);
  });

  test('there is one STANDARD state machine per journey in workflows/, and one for the runs of each audience journey', () => {
    const audiences = loaded.filter((l) => l.journey.audience);
    expect(audiences.length).toBeGreaterThan(0);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', loaded.length + audiences.length);
    expect(Object.keys(stack.audienceRuns).sort()).toEqual(audiences.map((l) => l.journey.id).sort());
    expect(Object.keys(stack.journeys).sort()).toEqual(loaded.map((l) => l.journey.id).sort());
  });

  test.each(loaded.map((l) => [l.journey.id, l]))(
    '%s deploys exactly `baton compile` with every ARN substituted',
    (id, l) => {
      const m = stack.journeys[id];
      const props = resource(m.stateMachine).Properties;
      expect(props.StateMachineType).toBe('STANDARD');
      const compiled = renderAsl(compileJourney(l.journey));
      expect(props.DefinitionString).toBe(compiled);
      // Every placeholder of the document, and only those, maps to its function's ARN.
      const expected = Object.fromEntries(handlersIn(compiled).map((h) => [HANDLER_PLACEHOLDERS[h], arnOf(h)]));
      expect(props.DefinitionSubstitutions).toEqual(expected);
    },
  );

  test.each(loaded.map((l) => [l.journey.id]))('%s logs every event without data, and is traced', (id) => {
    const props = resource(stack.journeys[id].stateMachine).Properties;
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration).toMatchObject({
      Level: 'ALL',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: expect.anything() } }],
    });
  });

  test.each(loaded.map((l) => [l.journey.id]))(
    '%s publishes a retained version per revision, routed 100%% by the live alias',
    (id) => {
      const m = stack.journeys[id];
      const version = template.toJSON().Resources[stack.getLogicalId(m.version)];
      expect(version.Properties).toMatchObject({
        StateMachineArn: { Ref: ref(m.stateMachine) },
        StateMachineRevisionId: { 'Fn::GetAtt': [ref(m.stateMachine), 'StateMachineRevisionId'] },
      });
      // In-flight executions keep the version they started on.
      expect(version.DeletionPolicy).toBe('Retain');
      expect(version.UpdateReplacePolicy).toBe('Retain');
      template.hasResourceProperties('AWS::StepFunctions::StateMachineAlias', {
        Name: 'live',
        RoutingConfiguration: [
          { StateMachineVersionArn: { 'Fn::GetAtt': [stack.getLogicalId(m.version), 'Arn'] }, Weight: 100 },
        ],
      });
    },
  );

  test.each(loaded.map((l) => [l.journey.id, l]))('%s may invoke exactly the functions it calls', (id, l) => {
    const statements = statementsOfRole(roleOf(stack.journeys[id].stateMachine));
    const invoke = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    expect(invoke).toHaveLength(1);
    expect(actionsOf(invoke[0])).toEqual(['lambda:InvokeFunction']);
    const resources = Array.isArray(invoke[0].Resource) ? invoke[0].Resource : [invoke[0].Resource];
    const calls = handlersIn(renderAsl(compileJourney(l.journey)));
    expect(sorted(resources)).toEqual(sorted(calls.map(arnOf)));
  });
});

test.each(['ingest', 'api'] as const)(
  '%s may start, stop and resume instances of every journey, and nothing else in Step Functions',
  (name) => {
    const statements = statementsOfRole(roleOf(stack.functions[name]));
    const states = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    const granted = new Set(states.flatMap(actionsOf));
    // SendTaskFailure is left out: the StepFunctionsPort has no such call.
    expect([...granted].sort()).toEqual(['states:SendTaskSuccess', 'states:StartExecution', 'states:StopExecution']);
    for (const m of Object.values(stack.journeys)) {
      const smRef = { Ref: ref(m.stateMachine) };
      const on = (action: string) =>
        states.filter((s) => actionsOf(s).includes(action)).map((s) => JSON.stringify(s.Resource));
      const alias = { 'Fn::GetAtt': [stack.getLogicalId(m.alias), 'Arn'] };
      expect(on('states:StartExecution').join()).toContain(JSON.stringify(alias));
      expect(on('states:SendTaskSuccess')).toContain(JSON.stringify(smRef));
      // Executions of this state machine: arn:...:execution:<name>:*
      expect(on('states:StopExecution').join()).toContain(':execution:');
    }
    // Instances start on the live aliases only, never on $LATEST.
    const starts = states
      .filter((s) => actionsOf(s).includes('states:StartExecution'))
      .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    expect(sorted(starts)).toEqual(
      sorted(Object.values(stack.journeys).map((m) => ({ 'Fn::GetAtt': [stack.getLogicalId(m.alias), 'Arn'] }))),
    );
  },
);

test('no function but ingest, the API and audience may call Step Functions', () => {
  for (const name of FUNCTIONS.filter((n) => n !== 'ingest' && n !== 'api' && n !== 'audience')) {
    const actions = statementsOfRole(roleOf(stack.functions[name])).flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('states:'))).toEqual([]);
  }
});

test('send may publish SMS and send email; the other functions may not', () => {
  const providerActions = (name: FunctionName) =>
    statementsOfRole(roleOf(stack.functions[name]))
      .flatMap(actionsOf)
      .filter((a) => a.startsWith('sns:') || a.startsWith('ses:'));
  expect(providerActions('send').sort()).toEqual(['ses:SendEmail', 'sns:Publish']);
  for (const name of FUNCTIONS.filter((n) => n !== 'send')) expect(providerActions(name)).toEqual([]);
});

describe('table access, per function', () => {
  const tableArn = () => ({ 'Fn::GetAtt': [ref(stack.table), 'Arn'] });
  const keyArn = () => ({ 'Fn::GetAtt': [ref(stack.key), 'Arn'] });
  const dynamoStatements = (name: FunctionName) =>
    statementsOfRole(roleOf(stack.functions[name])).filter(
      (s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')) && !JSON.stringify(s.Resource).includes('/index/'),
    );
  const indexStatements = (name: FunctionName) =>
    statementsOfRole(roleOf(stack.functions[name])).filter((s) => JSON.stringify(s.Resource).includes('/index/'));

  /** Read from each handler's use cases (test/aws/table-access.test.ts runs them against TABLE_ACCESS). */
  test.each([
    ['ingest', ['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'], undefined],
    ['api', ['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'], undefined],
    // R#: a journey version's results counters; RC: channel effectiveness (lib/results/counters.ts).
    ['closed', ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'], ['C#*', 'R#*']],
    ['send', ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'], ['C#*', 'M#*', 'R#*', 'RC*']],
    ['park', ['PutItem', 'UpdateItem'], ['C#*', 'R#*']],
    ['step', ['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'], ['C#*', 'R#*']],
    ['dispatch', ['GetItem', 'PutItem', 'Query', 'UpdateItem'], ['C#*', 'R#*']],
  ] as [FunctionName, string[], string[] | undefined][])(
    '%s may make exactly the table calls its handler makes, in its partitions',
    (name, actions, partitions) => {
      const statements = dynamoStatements(name);
      expect(statements).toHaveLength(1);
      const [st] = statements as { Action: string[]; Resource: unknown; Condition?: unknown }[];
      expect(actionsOf(st).sort()).toEqual(actions.map((a) => `dynamodb:${a}`));
      // The table alone: the index has a statement of its own, and there is no stream (the table has none).
      expect(st.Resource).toEqual(tableArn());
      expect(st.Condition).toEqual(
        partitions ? { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions } } : undefined,
      );
    },
  );

  test('the API reads results by Query on the table (a journey version, or channel effectiveness), never by Scan', () => {
    const actions = dynamoStatements('api').flatMap(actionsOf);
    expect(actions).toContain('dynamodb:Query');
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  /** Read from the use cases that list from the index (test/aws/table-access.test.ts checks them too). */
  test.each(FUNCTIONS)('%s may query the index only in the partitions it lists from', (name) => {
    const expected = TABLE_ACCESS[name].index;
    const statements = indexStatements(name) as { Action: string; Resource: unknown; Condition?: unknown }[];
    if (!expected) return expect(statements).toEqual([]);
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0])).toEqual(['dynamodb:Query']);
    expect(statements[0].Resource).toEqual({ 'Fn::Join': ['', [tableArn(), '/index/gsi1']] });
    expect(statements[0].Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expected.partitions.map((p) => `${p}*`) },
    });
  });

  test.each(FUNCTIONS)('%s may not scan, write in batch, or read streams', (name) => {
    const statements = statementsOfRole(roleOf(stack.functions[name]));
    const actions = statements.flatMap(actionsOf);
    for (const a of [
      'dynamodb:Scan',
      'dynamodb:BatchWriteItem',
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:DescribeStream',
      'dynamodb:ListStreams',
      'dynamodb:*',
    ]) {
      expect(actions).not.toContain(a);
    }
    expect(JSON.stringify(statements)).not.toContain('/stream/');
  });

  test.each(FUNCTIONS)('%s may use the data key for the table only through DynamoDB', (name) => {
    const statements = statementsOfRole(roleOf(stack.functions[name])) as {
      Action: string | string[];
      Resource: unknown;
      Condition?: Record<string, Record<string, unknown>>;
    }[];
    const viaDynamo = statements.filter((s) =>
      JSON.stringify(s.Condition?.StringEquals?.['kms:ViaService'] ?? '').includes('dynamodb.'),
    );
    expect(viaDynamo).toHaveLength(1);
    expect(actionsOf(viaDynamo[0]).sort()).toEqual([
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey*',
      'kms:ReEncrypt*',
    ]);
    expect(viaDynamo[0].Resource).toEqual(keyArn());
    // Without the condition, only what its queue needs: ingest reads the buffer, closed writes its failure queue.
    const direct = statements.filter((s) => !s.Condition && actionsOf(s).some((a) => a.startsWith('kms:')));
    const expected: Partial<Record<FunctionName, string[]>> = {
      ingest: ['kms:Decrypt'],
      closed: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
    };
    expect(direct.flatMap(actionsOf).sort()).toEqual(expected[name] ?? []);
  });
});

test('only ingest, closed and the API know the state machine ARNs; send and dispatch get their settings', () => {
  const env = (name: FunctionName) =>
    resource(stack.functions[name]).Properties.Environment.Variables as Record<string, unknown>;
  const withArns = FUNCTIONS.filter((n) => env(n).STATE_MACHINE_ARNS !== undefined);
  expect(withArns.sort()).toEqual(['api', 'audience', 'closed', 'ingest']);
  // Ingest, the API and audience start instances on the live aliases (the version this deployment
  // published); closed matches status-change events, which carry the unqualified state machine ARN.
  for (const name of ['ingest', 'api', 'audience'] as const) {
    const arns = JSON.stringify(env(name).STATE_MACHINE_ARNS);
    for (const m of Object.values(stack.journeys)) expect(arns).toContain(`"${stack.getLogicalId(m.alias)}"`);
  }
  const closedArns = JSON.stringify(env('closed').STATE_MACHINE_ARNS);
  for (const m of Object.values(stack.journeys)) {
    expect(closedArns).toContain(`"${ref(m.stateMachine)}"`);
    expect(closedArns).not.toContain(`"${stack.getLogicalId(m.alias)}"`);
  }
  expect(JSON.parse(env('dispatch').DESTINATIONS as string)).toEqual(DESTINATIONS);
  expect(env('send')).toMatchObject({
    SES_FROM_ADDRESS: 'journeys@example.com',
    SMS_ORIGINATION_NUMBER: '+15550001111',
  });
});

describe('secret webhook headers', () => {
  const dispatchEnv = () =>
    resource(stack.functions.dispatch).Properties.Environment.Variables as Record<string, unknown>;

  test('the dispatch environment holds the references, not the values', () => {
    const headers = JSON.parse(dispatchEnv().DESTINATIONS as string).targets['call-center.callback'].headers;
    expect(headers).toEqual({
      Authorization: { secret: 'baton/cc-token' },
      'X-Api-Key': { ssmSecureString: '/baton/cc-key' },
      'X-Team': 'growth',
    });
  });

  test('dispatch may read exactly the referenced secret and parameter; no other function may', () => {
    const statements = statementsOfRole(roleOf(stack.functions.dispatch));
    const reads = statements.filter((s) =>
      actionsOf(s).some((a) => a.startsWith('secretsmanager:') || a.startsWith('ssm:')),
    );
    expect(reads.map((s) => actionsOf(s)).sort()).toEqual([['secretsmanager:GetSecretValue'], ['ssm:GetParameter']]);
    const text = JSON.stringify(reads);
    // A secret named without its ARN: Secrets Manager appends six characters to every secret ARN.
    expect(text).toContain(':secret:baton/cc-token-??????');
    expect(text).toContain(':parameter/baton/cc-key');
    for (const name of FUNCTIONS.filter((n) => n !== 'dispatch')) {
      const actions = statementsOfRole(roleOf(stack.functions[name])).flatMap(actionsOf);
      expect(actions.filter((a) => a.startsWith('secretsmanager:') || a.startsWith('ssm:'))).toEqual([]);
    }
  });

  test('dispatch alone runs the Parameters and Secrets extension that reads them', () => {
    const layers = (name: FunctionName) => resource(stack.functions[name]).Properties.Layers ?? [];
    // The layer's ARN differs by region and architecture: CDK looks it up in a mapping.
    const [layer] = layers('dispatch') as { 'Fn::FindInMap': [string, unknown, string] }[];
    const [map, , key] = layer['Fn::FindInMap'];
    expect(template.toJSON().Mappings[map]['us-east-1'][key]).toMatch(
      /^arn:aws:lambda:us-east-1:\d{12}:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/,
    );
    for (const name of FUNCTIONS.filter((n) => n !== 'dispatch')) expect(layers(name)).toEqual([]);
  });

  test.each([
    ['Authorization', 'Bearer s3cr3t-value'],
    ['X-Api-Key', 's3cr3t-value'],
    ['X-Session-Token', 's3cr3t-value'],
    ['Client-Secret', 's3cr3t-value'],
  ])('a plain-text %s header is refused before anything is built, without echoing it', (header, value) => {
    const build = () =>
      new BatonStack(new App(), 'Plain', {
        projectRoot: ROOT,
        destinations: {
          handoffs: { chat: { type: 'webhook', url: 'https://chat.example.com', headers: { [header]: value } } },
        },
      });
    expect(build).toThrow(PlainTextCredentialError);
    expect(build).toThrow(`destinations /handoffs/chat/headers/${header}: header ${header} carries a credential`);
    expect(build).toThrow('{"secret": "<Secrets Manager secret name or ARN>"} or {"ssmSecureString"');
    expect(build).not.toThrow(value);
  });
});

test('dispatch may put events on exactly the EventBridge buses configured as destinations', () => {
  const dispatchRole = resource(stack.functions.dispatch).Properties.Role['Fn::GetAtt'][0];
  const puts = statementsOfRole(dispatchRole).filter((st) => [st.Action].flat().includes('events:PutEvents'));
  expect(puts).toHaveLength(1);
  expect(JSON.stringify(puts[0].Resource)).toContain(':event-bus/contact-center');
  for (const name of FUNCTIONS.filter((f) => f !== 'dispatch')) {
    const role = resource(stack.functions[name]).Properties.Role['Fn::GetAtt'][0];
    expect(statementsOfRole(role).some((st) => [st.Action].flat().includes('events:PutEvents'))).toBe(false);
  }
});

test('the HTTP API serves the routes of SPEC §5 and §7, every method behind IAM, with access logs', () => {
  const methods = template.findResources('AWS::ApiGateway::Method');
  const routes = Object.values(methods).map(
    (m) => (m as { Properties: { HttpMethod: string; AuthorizationType: string } }).Properties,
  );
  expect(routes.map((r) => r.HttpMethod).sort()).toEqual([
    'DELETE',
    ...Array(7).fill('GET'), // profile, context, timeline, consent; journeys, journey results, channel effectiveness
    'POST',
    'PUT',
  ]);
  for (const r of routes) expect(r.AuthorizationType).toBe('AWS_IAM');
  const paths = Object.values(template.findResources('AWS::ApiGateway::Resource')).map(
    (r) => (r as { Properties: { PathPart: string } }).Properties.PathPart,
  );
  expect(paths.sort()).toEqual(
    [
      ...['consent', 'context', 'customers', 'events', 'profile', 'timeline', '{id}'],
      ...['journeys', '{id}', 'results', 'channels', 'effectiveness'],
    ].sort(),
  );
  template.hasResourceProperties('AWS::ApiGateway::Stage', {
    AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false })],
  });
});

test('the API stage throttles every method by default (50 requests/s, bursts of 100)', () => {
  template.hasResourceProperties('AWS::ApiGateway::Stage', {
    MethodSettings: [
      Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
    ],
  });
});

test('API Gateway requires a JSON body on POST /events (object or array) and PUT profile (object)', () => {
  template.resourceCountIs('AWS::ApiGateway::RequestValidator', 1);
  template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
  const models = template.findResources('AWS::ApiGateway::Model');
  const schemaOf = (title: string) =>
    Object.entries(models).find(([, m]) => m.Properties.Schema.title === title) as [
      string,
      { Properties: { Schema: { type: unknown } } },
    ];
  expect(schemaOf('Events')[1].Properties.Schema.type).toEqual(['object', 'array']);
  expect(schemaOf('Profile')[1].Properties.Schema.type).toBe('object');
  const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
  const withBody = methods.filter((m) => m.RequestModels);
  expect(withBody.map((m) => m.HttpMethod).sort()).toEqual(['POST', 'PUT']);
  for (const m of withBody) {
    expect(m.RequestValidatorId).toBeDefined();
    expect(Object.keys(m.RequestModels)).toEqual(['application/json']);
  }
  expect(withBody.map((m) => m.RequestModels['application/json'].Ref).sort()).toEqual(
    [schemaOf('Events')[0], schemaOf('Profile')[0]].sort(),
  );
});

describe('observability', () => {
  const alarmsOn = (metricName: string) =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.MetricName === metricName,
    ) as { Properties: { Dimensions: { Value: unknown }[]; Threshold: number; AlarmActions: unknown[] } }[];
  const topic = () => ({ Ref: ref(stack.monitoring.topic) });

  test('alarms go to one topic encrypted with the data key, mailed to the configured address', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [ref(stack.key), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: topic(),
    });
    for (const a of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.AlarmActions).toEqual([topic()]);
      // Every alarm fires on the first occurrence, but SMS spend, which fires past the monthly budget.
      const spend = a.Properties.MetricName === 'SMSMonthToDateSpentUSD';
      expect(a.Properties).toMatchObject({ Threshold: spend ? 100 : 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
  });

  test('every journey, and the runs of every audience journey, alarm on their first failed execution', () => {
    const dims = alarmsOn('ExecutionsFailed').map((a) => JSON.stringify(a.Properties.Dimensions[0].Value));
    const machines = [
      ...Object.values(stack.journeys).map((m) => m.stateMachine),
      ...Object.values(stack.audienceRuns).map((r) => r.stateMachine),
    ];
    expect(dims.sort()).toEqual(sorted(machines.map((m) => ({ Ref: ref(m) }))));
  });

  test('every dead-letter queue alarms on its first message', () => {
    const dims = alarmsOn('ApproximateNumberOfMessagesVisible').map((a) =>
      JSON.stringify(a.Properties.Dimensions[0].Value),
    );
    const { ingest, closed } = stack.deadLetters;
    expect(dims.sort()).toEqual(
      sorted(
        [ingest.undelivered, ingest.failed, closed.undelivered, closed.failed, stack.scheduleDeadLetterQueue].map(
          (q) => ({
            'Fn::GetAtt': [ref(q), 'QueueName'],
          }),
        ),
      ),
    );
  });

  test.each(['Errors', 'Throttles'])('every function alarms on %s', (metric) => {
    const dims = alarmsOn(metric).map((a) => JSON.stringify(a.Properties.Dimensions[0].Value));
    expect(dims.sort()).toEqual(sorted(FUNCTIONS.map((f) => ({ Ref: ref(stack.functions[f]) }))));
  });

  test('a dashboard shows the alarms, the journeys, the queues and the functions', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const word of ['Alarms', 'Journey cart-recovery', 'IngestFailureQueue', 'Function send']) {
      expect(body).toContain(word);
    }
  });
});

describe('business metrics', () => {
  test('sends that did not go out and SMS spend are alarmed on', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms).toContainEqual(
      expect.objectContaining({ MetricName: 'SMSMonthToDateSpentUSD', Namespace: 'AWS/SNS', Threshold: 100 }),
    );
    const failed = alarms.find((a) => JSON.stringify(a.Metrics ?? []).includes('SendFailed'));
    expect(failed).toBeDefined();
  });

  test('the dashboard charts starts, exits by reason, sends by channel and suppressions by reason', () => {
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody,
    );
    for (const needle of [
      'Entered',
      'Exited',
      'Sent',
      'Suppressed',
      'frequency-cap',
      'SendFailed',
      'SMSMonthToDateSpentUSD',
    ])
      expect(body).toContain(needle);
  });

  test('every function is traced with X-Ray', () => {
    for (const name of FUNCTIONS)
      expect(resource(stack.functions[name]).Properties.TracingConfig).toEqual({ Mode: 'Active' });
  });
});

describe('audience runs', () => {
  const { loaded } = loadJourneys([join(ROOT, 'workflows')]);
  const audiences = loaded.filter((l) => l.journey.audience);
  const ids = audiences.map((l) => [l.journey.id, l] as const);
  const env = () => resource(stack.functions.audience).Properties.Environment.Variables as Record<string, unknown>;
  const bucketArn = () => ({ 'Fn::GetAtt': [ref(stack.memberBucket), 'Arn'] });

  test.each(ids)('%s runs deploy exactly `baton compile --run`, the audience function substituted', (id, l) => {
    const props = resource(stack.audienceRuns[id].stateMachine).Properties;
    expect(props.StateMachineType).toBe('STANDARD');
    const printed = execFileSync(process.execPath, [join(ROOT, 'bin/baton.cjs'), 'compile', l.file, '--run'], {
      encoding: 'utf8',
    });
    expect(props.DefinitionString).toBe(printed);
    expect(props.DefinitionString).toBe(renderAsl(compileRun(l.journey)));
    expect(props.DefinitionSubstitutions).toEqual({ [AUDIENCE_PLACEHOLDER]: arnOf('audience') });
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
  });

  test.each(ids)(
    '%s runs may invoke the audience function, read their member files, and run their Distributed Map',
    (id) => {
      const run = stack.audienceRuns[id];
      const smRef = { Ref: ref(run.stateMachine) };
      const statements = statementsOfRole(roleOf(run.stateMachine)) as {
        Action: string | string[];
        Resource: unknown;
      }[];
      const on = (action: string) => statements.filter((s) => actionsOf(s).includes(action)).map((s) => s.Resource);
      expect(on('lambda:InvokeFunction')).toEqual([arnOf('audience')]);
      expect(on('s3:GetObject')).toEqual([{ 'Fn::Join': ['', [bucketArn(), `/runs/${id}/*`]] }]);
      expect(JSON.stringify(on('kms:Decrypt'))).toContain(ref(stack.key));
      // AWS's "IAM policies for using Distributed Map states": children are executions of itself.
      expect(on('states:StartExecution')).toEqual([[smRef, { 'Fn::Join': ['', [smRef, ':*']] }]]);
      const executions = JSON.stringify(on('states:DescribeExecution'));
      expect(executions).toContain(':execution:');
      expect(executions).toContain(`{"Ref":"${ref(run.stateMachine)}"}`);
      expect(on('states:StopExecution')).toEqual(on('states:DescribeExecution'));
      expect(JSON.stringify(on('states:RedriveExecution'))).toContain('/*');
      // Nothing else: no other function, no other bucket, no table.
      const actions = statements.flatMap(actionsOf);
      expect(
        actions.filter((a) => a.startsWith('dynamodb:') || a.startsWith('sns:') || a.startsWith('s3:Put')),
      ).toEqual([]);
    },
  );

  test.each(ids)(
    '%s runs are started by EventBridge Scheduler on its schedule, with retries and a dead-letter queue',
    (id, l) => {
      const run = stack.audienceRuns[id];
      expect(run.schedule).toBeDefined();
      const schedule = template.toJSON().Resources[stack.getLogicalId(run.schedule!)];
      const expected = runSchedule(l.journey, NOW)!;
      expect(schedule.Properties).toMatchObject({
        ScheduleExpression: expected.expression,
        ScheduleExpressionTimezone: expected.timezone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          // The version deployed with the journey: its runs go on the document they were compiled from.
          Arn: { 'Fn::GetAtt': [stack.getLogicalId(run.version), 'Arn'] },
          Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}',
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ref(stack.scheduleDeadLetterQueue), 'Arn'] } },
        },
      });
      if (expected.endDate) expect(schedule.Properties.EndDate).toBe(expected.endDate);
      // Scheduler's role may start exactly this version, and dead-letter to exactly that queue.
      const role = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0];
      expect(template.toJSON().Resources[role].Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      });
      const statements = statementsOfRole(role);
      expect(statements.map((s) => [actionsOf(s), s.Resource])).toEqual([
        [['states:StartExecution'], { 'Fn::GetAtt': [stack.getLogicalId(run.version), 'Arn'] }],
        [['sqs:SendMessage'], { 'Fn::GetAtt': [ref(stack.scheduleDeadLetterQueue), 'Arn'] }],
        [['kms:GenerateDataKey', 'kms:Decrypt'], { 'Fn::GetAtt': [ref(stack.key), 'Arn'] }],
      ]);
    },
  );

  test('the member bucket is encrypted with the data key, private, TLS only, and forgets member files after a week', () => {
    const props = resource(stack.memberBucket).Properties;
    expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: { 'Fn::GetAtt': [ref(stack.key), 'Arn'] },
      },
    });
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Prefix: 'runs/', ExpirationInDays: 7, Status: 'Enabled' }),
    );
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ref(stack.memberBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('file segments are deployed with the stack as S3 objects, which the audience function alone may read', () => {
    const withFiles = audiences.filter((l) => l.journey.audience && 'file' in l.journey.audience.segment);
    expect(withFiles.length).toBeGreaterThan(0);
    const objects = JSON.stringify(env().SEGMENT_OBJECTS);
    const reads = statementsOfRole(roleOf(stack.functions.audience)).filter((s) =>
      actionsOf(s).includes('s3:GetObject'),
    );
    expect(reads).toHaveLength(1);
    for (const l of withFiles) {
      const file = (l.journey.audience!.segment as { file: string }).file;
      expect(objects).toContain(`\\"${l.journey.id}\\":{\\"${file}\\":{\\"bucket\\":`);
      // The asset staged for upload is the file itself.
      const staged = readFileSync(
        join(assemblyDir, readdirSync(assemblyDir).find((d) => d.startsWith('asset.') && d.endsWith('.jsonl'))!),
        'utf8',
      );
      expect(staged).toBe(readFileSync(join(dirname(l.file), file), 'utf8'));
    }
    for (const name of FUNCTIONS.filter((n) => n !== 'audience')) {
      const s3 = statementsOfRole(roleOf(stack.functions[name]))
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('s3:'));
      expect(s3).toEqual([]);
    }
  });

  test('the audience function writes member files under runs/ and starts instances of audience journeys only', () => {
    expect(env().MEMBER_BUCKET).toEqual({ Ref: ref(stack.memberBucket) });
    const statements = statementsOfRole(roleOf(stack.functions.audience));
    const on = (action: string) => statements.filter((s) => actionsOf(s).includes(action)).map((s) => s.Resource);
    expect(on('s3:PutObject')).toEqual([{ 'Fn::Join': ['', [bucketArn(), '/runs/*']] }]);
    const states = statements.flatMap(actionsOf).filter((a) => a.startsWith('states:'));
    expect(states).toEqual(['states:StartExecution']);
    const aliases = audiences.map((l) => ({
      'Fn::GetAtt': [stack.getLogicalId(stack.journeys[l.journey.id].alias), 'Arn'],
    }));
    const started = on('states:StartExecution').flatMap((r) => (Array.isArray(r) ? r : [r]));
    expect(sorted(started)).toEqual(sorted(aliases));
    expect(resource(stack.functions.audience).Properties.Timeout).toBe(900);
  });

  test('the dashboard charts run progress: members listed, entered, ignored by reason, runs and batches', () => {
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody,
    );
    for (const needle of [
      'MembersListed',
      'Ignored',
      'Audience runs of weekly-newsletter',
      'AudienceScheduleDeadLetterQueue',
    ])
      expect(body).toContain(needle);
  });
});
