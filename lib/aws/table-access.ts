/**
 * What each deployed function does to the table, so that its role may do exactly that
 * (lib/infra/baton-engine.ts turns this into IAM). Read from the use cases each handler runs
 * (lib/core/*), through the Table port (lib/store/table.ts), and checked by
 * test/aws/table-access.test.ts, which runs the journeys with every table call checked against
 * its function's entry here.
 *
 * No deployed function scans (only the local engine's scheduler and console do), writes in batch,
 * queries the index, or reads a stream (the table has none).
 */
import { CHANNEL_PARTITION, JOURNEY_RESULTS_PREFIX } from '../results/counters';
import { keys } from '../store/keys';
import type { FunctionRole } from './runtime';

/** The DynamoDB operations the Table port makes on AWS. */
export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

export interface TableAccess {
  actions: readonly TableAction[];
  /**
   * The partition key prefixes the function touches (a `dynamodb:LeadingKeys` condition);
   * absent when it touches most partitions of the table (ingest and the API).
   */
  partitions?: readonly string[];
}

const ALL: readonly TableAction[] = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'];
/** Everything about one customer (profile, instances, waits, timeline, sessions...). */
const CUSTOMER = keys.customer('');
/** The message ledger, one partition per message. */
const MESSAGE = keys.message('');
/** Results: a journey version's counters (and its optimized splits); channel effectiveness. */
const RESULTS = JOURNEY_RESULTS_PREFIX;
const CHANNELS = CHANNEL_PARTITION;

/** By function: the DynamoDB actions its handler's code path makes, and where. */
export const TABLE_ACCESS: Record<FunctionRole, TableAccess> = {
  // Entry, goals and exits, waits resumed, sessions, consent, feedback on ledger items, dedupe by event id.
  ingest: { actions: ALL },
  // POST /events (ingest), profiles, timelines, hand-off context, erasure (query then delete each item);
  // results: a query of one journey version's counters, or of channel effectiveness, over a range of days.
  api: { actions: ALL },
  // endInstance: the instance record, its lock and live mark, the exit line and its counter.
  closed: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], partitions: [CUSTOMER, RESULTS] },
  // The ledger item (M#), then the customer's profile, cap log, engagement, step pointer and timeline;
  // the counters of the line, of the step visits, and of channel effectiveness.
  send: {
    actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
    partitions: [CUSTOMER, MESSAGE, RESULTS, CHANNELS],
  },
  // One wait item (and an escalation wake-up) per parked waitFor; the step visits it counts.
  park: { actions: ['PutItem', 'UpdateItem'], partitions: [CUSTOMER, RESULTS] },
  // evaluate, update, localTime, note, finish, escalation and split in the customer's partition, and
  // the counters; a split's optimizer reads the version's counters (a query) and keeps its choice there.
  step: { actions: ALL, partitions: [CUSTOMER, RESULTS] },
  // Bindings (profile, session, messages.<step>), the hand-off item and the timeline line; the step visits.
  dispatch: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'Query'], partitions: [CUSTOMER, RESULTS] },
};
