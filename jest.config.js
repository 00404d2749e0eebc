const { availableParallelism } = require('node:os');

// Tests run on Node 20 on purpose; the SDK's notice about Node 22 is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Tests are TypeScript transpiled by esbuild (type checking runs once, in `tsc --noEmit`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.[tj]s$': '<rootDir>/test/esbuild-transform.js' },
  // middy ships ES modules only; let the transform turn them into CommonJS for the tests.
  transformIgnorePatterns: ['node_modules/(?!(@middy)/)'],
  // Jest's default (one worker fewer than the cores) runs 2 cores' tests in band, one file at a
  // time: many files wait on child processes, sockets or disk, so a second worker keeps both busy.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  testTimeout: 60000,
  // Property tests replay the same cases every run (FC_SEED=random explores new ones).
  setupFilesAfterEnv: ['<rootDir>/test/fast-check-seed.ts'],
};
