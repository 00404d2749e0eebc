/**
 * What each deployed function does to the table, so that its role may do exactly that
 * (lib/infra/baton-engine.ts turns this into IAM). Read from the use cases each handler runs
 * (lib/core/*), through the Table port (lib/store/table.ts), and checked by
 * test/aws/table-access.test.ts, which runs the journeys with every table call checked against
 * its function's entry here.
 *
 * No deployed function scans (only the local engine's scheduler and console do), writes in batch,
 * or reads a stream (the table has none); only the audience function queries the index, in the
 * partitions that list profiles.
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
  /** Query on the sparse index (gsi1), in these index partitions: the audience function's profile listing. */
  index?: { partitions: readonly string[] };
}

const ALL: readonly TableAction[] = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'];
/** Everything about one customer (profile, instances, waits, timeline, sessions...). */
const CUSTOMER = keys.customer('');
/** The message ledger, one partition per message. */
const MESSAGE = keys.message('');
/** Results: a journey version's counters (and its optimized splits); channel effectiveness. */
const RESULTS = JOURNEY_RESULTS_PREFIX;
const CHANNELS = CHANNEL_PARTITION;
/** The index partitions of events accepted and still being processed (lib/core/pending-events.ts). */
const PENDING_EVENTS = keys.pendingEvents(0).replace(/\d+$/, '');
/** An audience journey's runs and batches (lib/audience). */
const AUDIENCE = keys.audience('');
/** The index partitions profiles are listed from, shard by shard (lib/store/profiles.ts). */
const PROFILES = keys.profiles(0).replace(/\d+$/, '');

/** By function: the DynamoDB actions its handler's code path makes, and where. */
export const TABLE_ACCESS: Record<FunctionRole, TableAccess> = {
  // Entry, goals and exits, waits resumed, sessions, consent, feedback on ledger items, dedupe by event id.
  ingest: { actions: ALL },
  // POST /events (ingest), profiles, timelines, hand-off context, erasure (query then delete each item,
  // and the customer's events still being processed, found in the index); results: a query of one
  // journey version's counters, or of channel effectiveness, over a range of days.
  api: { actions: ALL, index: { partitions: [PENDING_EVENTS] } },
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
  // list: profiles from the index (a `where` segment) or by id (a file's, for their zones), the run's
  // record; enter: the batch's record, then entry as for events (instance, lock, entry counts, the
  // entered or ignored line and its counter).
  audience: {
    actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
    partitions: [CUSTOMER, RESULTS, AUDIENCE],
    index: { partitions: [PROFILES] },
  },
  // Bindings (profile, session, messages.<step>), the hand-off item and the timeline line; the step visits.
  dispatch: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'Query'], partitions: [CUSTOMER, RESULTS] },
};
