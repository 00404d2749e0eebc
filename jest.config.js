// Tests run on Node 20 on purpose; the SDK's notice about Node 22 is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Tests are TypeScript transpiled by ts-jest (type checking runs once, in `tsc --noEmit`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true }, diagnostics: false }],
  },
  // middy ships ES modules only; let ts-jest turn them into CommonJS for the tests.
  transformIgnorePatterns: ['node_modules/(?!(@middy)/)'],
  testTimeout: 60000,
  // Property tests replay the same cases every run (FC_SEED=random explores new ones).
  setupFilesAfterEnv: ['<rootDir>/test/fast-check-seed.ts'],
};
