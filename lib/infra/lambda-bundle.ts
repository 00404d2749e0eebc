/**
 * How every Lambda function is bundled, in esbuild's terms: BatonFunction hands these to CDK's
 * esbuild, and bench/cold-start.ts builds with them, so the bench measures what CDK deploys. No
 * CDK import here, so the bench loads it cheaply.
 *
 * The AWS SDK is bundled (never external): the bundle is what the tests ran, whatever SDK version
 * the runtime ships. `module` before `main` takes the SDK's and Powertools' ES module builds,
 * which esbuild can tree-shake, where their CommonJS builds come in whole.
 */
export const LAMBDA_BUNDLE = {
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
} as const;

/** The functions' NODE_OPTIONS: stack traces in the logs point into the TypeScript sources. */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';
