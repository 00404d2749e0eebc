/**
 * The environment a Lambda gets from the stack, for handler tests: a dynalite table, the bundled
 * journeys from workflows/, one state machine ARN per journey. Restores the environment after.
 */
import { loadJourneys } from '../../lib/journey/load';
import { type LocalStore, startLocalStore } from '../../lib/store/dynalite-server';

export const WORKFLOWS = `${__dirname}/../../workflows`;
export const arnOf = (id: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:${id}`;

/** Set up (in beforeAll) and tear down (in afterAll) a Lambda environment; returns the store getter. */
export function useLambdaEnv(tableName: string): () => LocalStore & { endpoint: string } {
  const savedEnv = { ...process.env };
  let store: LocalStore & { endpoint: string };
  beforeAll(async () => {
    store = await startLocalStore({ tableName });
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      JOURNEYS_DIR: WORKFLOWS,
      STATE_MACHINE_ARNS: JSON.stringify(
        Object.fromEntries(loadJourneys([WORKFLOWS]).loaded.map((l) => [l.journey.id, arnOf(l.journey.id)])),
      ),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: store.endpoint,
    });
  });
  afterAll(async () => {
    process.env = savedEnv;
    await store.close();
  });
  return () => store;
}
