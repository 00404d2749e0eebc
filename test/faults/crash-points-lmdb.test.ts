/**
 * The crash points of crash-points.test.ts on the durable store (LMDB), whose writes resolve once
 * issued and commit in groups: a kill -9 leaves the writes issued up to some point (see
 * test/store/group-commit.test.ts), which is the store a crash after that many side effects leaves.
 */
process.env.BATON_CRASH_POINTS_STORE = 'lmdb';
require('./crash-points.test');
