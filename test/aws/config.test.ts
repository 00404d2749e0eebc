/** The Lambda environment is validated once, and a bad value is reported by its variable's name. */
import { ConfigError, parseConfig } from '../../lib/aws/config';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:cart';

test('a minimal environment gives the table and the bundled workflows folder', () => {
  expect(parseConfig({ TABLE_NAME: 'baton' }, '/var/task')).toEqual({
    tableName: 'baton',
    journeysDir: '/var/task/workflows',
  });
});

test('every variable is read and typed', () => {
  const config = parseConfig({
    TABLE_NAME: 'baton',
    STATE_MACHINE_ARNS: JSON.stringify({ 'cart-recovery': ARN }),
    JOURNEYS_DIR: '/opt/journeys',
    SES_FROM_ADDRESS: 'journeys@example.com',
    SMS_SENDER_ID: 'Baton',
    SMS_ORIGINATION_NUMBER: '+15550001111',
    DESTINATIONS: JSON.stringify({ targets: { hook: { type: 'webhook', url: 'https://cc.example.com/hook' } } }),
  });
  expect(config).toEqual({
    tableName: 'baton',
    stateMachineArns: { 'cart-recovery': ARN },
    journeysDir: '/opt/journeys',
    sesFromAddress: 'journeys@example.com',
    smsSenderId: 'Baton',
    smsOriginationNumber: '+15550001111',
    destinations: { targets: { hook: { type: 'webhook', url: 'https://cc.example.com/hook' } } },
  });
});

test('secret header references, and where the secrets extension listens, are read', () => {
  const headers = { Authorization: { secret: 'baton/cc-token' }, 'X-Api-Key': { ssmSecureString: '/baton/cc-key' } };
  const config = parseConfig(
    {
      TABLE_NAME: 't',
      DESTINATIONS: JSON.stringify({ targets: { hook: { type: 'webhook', url: 'https://cc.example.com', headers } } }),
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
      AWS_SESSION_TOKEN: 'token',
    },
    '/x',
  );
  expect(config.destinations?.targets?.hook).toMatchObject({ headers });
  expect(config.secretsExtension).toEqual({ port: 2773, sessionToken: 'token' });
});

test('empty optional variables count as unset', () => {
  const config = parseConfig(
    { TABLE_NAME: 't', SES_FROM_ADDRESS: '', SMS_SENDER_ID: '', STATE_MACHINE_ARNS: '' },
    '/x',
  );
  expect(config).toEqual({ tableName: 't', journeysDir: '/x/workflows' });
});

test.each([
  [{}, 'TABLE_NAME is required'],
  [{ TABLE_NAME: '' }, 'TABLE_NAME is required'],
  [{ TABLE_NAME: 't', STATE_MACHINE_ARNS: '{not json' }, 'STATE_MACHINE_ARNS must be JSON'],
  [{ TABLE_NAME: 't', STATE_MACHINE_ARNS: '["x"]' }, 'STATE_MACHINE_ARNS must be a JSON object'],
  [{ TABLE_NAME: 't', STATE_MACHINE_ARNS: '{"cart":"nope"}' }, 'STATE_MACHINE_ARNS /cart must be a state machine ARN'],
  [{ TABLE_NAME: 't', SES_FROM_ADDRESS: 'not-an-address' }, 'SES_FROM_ADDRESS must be an email address'],
  [{ TABLE_NAME: 't', SMS_SENDER_ID: 'way-too-long-id' }, 'SMS_SENDER_ID must be 1-11 letters and digits'],
  [{ TABLE_NAME: 't', SMS_ORIGINATION_NUMBER: '5550001111' }, 'SMS_ORIGINATION_NUMBER must be an E.164 number'],
  [
    { TABLE_NAME: 't', DESTINATIONS: '{"targets":{"hook":{"type":"webhook","url":"nope"}}}' },
    'DESTINATIONS /targets/hook/url',
  ],
  [
    { TABLE_NAME: 't', PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '0' },
    'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT must be a port',
  ],
  [
    {
      TABLE_NAME: 't',
      DESTINATIONS: '{"targets":{"hook":{"type":"webhook","url":"https://x.example","headers":{"A":{"vault":"x"}}}}}',
    },
    'DESTINATIONS /targets/hook/headers/A',
  ],
])('%j is refused: %s', (env, message) => {
  expect(() => parseConfig(env)).toThrow(ConfigError);
  expect(() => parseConfig(env)).toThrow(message);
});

test("the audience function's member bucket and segment objects are read and typed", () => {
  const segments = { 'lapsed-win-back': { 'audiences/x.jsonl': { bucket: 'cdk-assets', key: 'abc.jsonl' } } };
  const config = parseConfig({
    TABLE_NAME: 't',
    MEMBER_BUCKET: 'baton-members',
    SEGMENT_OBJECTS: JSON.stringify(segments),
  });
  expect(config.memberBucket).toBe('baton-members');
  expect(config.segmentObjects).toEqual(segments);
});

test.each([
  ['MEMBER_BUCKET', 'Not_A_Bucket', 'MEMBER_BUCKET must be an S3 bucket name, found "Not_A_Bucket"'],
  ['SEGMENT_OBJECTS', '{"j": {"f.jsonl": {"bucket": "b"}}}', 'SEGMENT_OBJECTS /j/f.jsonl/key'],
  ['SEGMENT_OBJECTS', 'not json', 'SEGMENT_OBJECTS must be JSON'],
])('%s=%s is refused by name', (variable, value, message) => {
  expect(() => parseConfig({ TABLE_NAME: 't', [variable]: value })).toThrow(ConfigError);
  expect(() => parseConfig({ TABLE_NAME: 't', [variable]: value })).toThrow(message);
});
