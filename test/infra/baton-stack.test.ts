/**
 * Template assertions for the Baton stack, synthesized once (bundling runs esbuild once per function).
 * The state machine test is the proof that what CDK deploys is exactly what `baton compile` prints.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { BatonStack, type FunctionName } from '../../lib/infra/baton-stack';
import { compileJourney, HANDLER_PLACEHOLDERS, type HandlerName, renderAsl } from '../../lib/journey/compile';
import { loadJourneys } from '../../lib/journey/load';

const ROOT = resolve(__dirname, '../..');
const FUNCTIONS: FunctionName[] = ['ingest', 'closed', 'api', 'send', 'park', 'step', 'dispatch'];

let stack: BatonStack;
let template: Template;
let assemblyDir: string;

beforeAll(() => {
  const app = new App();
  stack = new BatonStack(app, 'Test', {
    projectRoot: ROOT,
    sesFromAddress: 'journeys@example.com',
    smsOriginationNumber: '+15550001111',
    destinations: {
      targets: { 'call-center.callback': { type: 'webhook', url: 'https://cc.example.com/callbacks' } },
      handoffs: { phone: { type: 'eventbridge', busName: 'contact-center' } },
    },
  });
  template = Template.fromStack(stack);
  assemblyDir = app.synth().directory;
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

test('every event on the bus goes to ingest, with retries and an SQS dead-letter queue', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: { Ref: ref(stack.bus) },
    EventPattern: { source: [{ prefix: '' }] },
    Targets: [
      Match.objectLike({
        Arn: arnOf('ingest'),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ref(stack.deadLetters.ingest.undelivered), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      }),
    ],
  });
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

test.each(['ingest', 'closed'] as const)('%s: Lambda async retries end in a failure queue, not dropped', (name) => {
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

  test('there is one STANDARD state machine per journey in workflows/', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', loaded.length);
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

test('ingest may start, stop and resume instances of every journey, and nothing else in Step Functions', () => {
  const statements = statementsOfRole(roleOf(stack.functions.ingest));
  const states = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
  const granted = new Set(states.flatMap(actionsOf));
  expect([...granted].sort()).toEqual([
    'states:SendTaskFailure',
    'states:SendTaskSuccess',
    'states:StartExecution',
    'states:StopExecution',
  ]);
  for (const m of Object.values(stack.journeys)) {
    const smRef = { Ref: ref(m.stateMachine) };
    const on = (action: string) =>
      states.filter((s) => actionsOf(s).includes(action)).map((s) => JSON.stringify(s.Resource));
    expect(on('states:StartExecution')).toContain(JSON.stringify(smRef));
    expect(on('states:SendTaskSuccess')).toContain(JSON.stringify(smRef));
    // Executions of this state machine: arn:...:execution:<name>:*
    expect(on('states:StopExecution').join()).toContain(':execution:');
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

test('every function may read and write the table', () => {
  for (const name of FUNCTIONS) {
    const actions = statementsOfRole(roleOf(stack.functions[name])).flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']));
  }
});

test('only ingest, closed and the API know the state machine ARNs; send and dispatch get their settings', () => {
  const env = (name: FunctionName) =>
    resource(stack.functions[name]).Properties.Environment.Variables as Record<string, unknown>;
  const withArns = FUNCTIONS.filter((n) => env(n).STATE_MACHINE_ARNS !== undefined);
  expect(withArns.sort()).toEqual(['api', 'closed', 'ingest']);
  expect(JSON.parse(env('dispatch').DESTINATIONS as string)).toEqual({
    targets: { 'call-center.callback': { type: 'webhook', url: 'https://cc.example.com/callbacks' } },
    handoffs: { phone: { type: 'eventbridge', busName: 'contact-center' } },
  });
  expect(env('send')).toMatchObject({
    SES_FROM_ADDRESS: 'journeys@example.com',
    SMS_ORIGINATION_NUMBER: '+15550001111',
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

test('the HTTP API serves the routes of SPEC §5, every method behind IAM, with access logs', () => {
  const methods = template.findResources('AWS::ApiGateway::Method');
  const routes = Object.values(methods).map(
    (m) => (m as { Properties: { HttpMethod: string; AuthorizationType: string } }).Properties,
  );
  expect(routes.map((r) => r.HttpMethod).sort()).toEqual(['DELETE', 'GET', 'GET', 'GET', 'GET', 'POST', 'PUT']);
  for (const r of routes) expect(r.AuthorizationType).toBe('AWS_IAM');
  const paths = Object.values(template.findResources('AWS::ApiGateway::Resource')).map(
    (r) => (r as { Properties: { PathPart: string } }).Properties.PathPart,
  );
  expect(paths.sort()).toEqual(['consent', 'context', 'customers', 'events', 'profile', 'timeline', '{id}'].sort());
  template.hasResourceProperties('AWS::ApiGateway::Stage', {
    AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
  });
});
