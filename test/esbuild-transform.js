/**
 * Jest's transform: esbuild strips the types and turns ES modules into CommonJS, one file at a time.
 * Types are checked once, by `tsc --noEmit` in `npm test`; ts-jest did the same work per file with
 * the TypeScript compiler, which cost about a tenth of the suite's time on a cold cache (CI's case).
 * No test uses jest.mock, whose hoisting esbuild would not do.
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { transformSync, version } = require('esbuild');

// The class-field and target semantics tsc checks against (tsconfig.json), not esbuild's defaults.
const { compilerOptions } = require('../tsconfig.json');
const tsconfigRaw = {
  compilerOptions: { target: compilerOptions.target, useDefineForClassFields: true, esModuleInterop: true },
};
/**
 * esbuild's CommonJS interop, bent to tsc's (what the code runs as under tsx and in Lambda bundles the
 * tests do not run): exports stay redefinable, and `import * as m` of a transpiled module is the
 * module itself, not a copy, so jest.spyOn(m, 'f') reaches every caller of m.f as it does under tsc.
 */
const INTEROP = [
  [
    'var __defProp = Object.defineProperty;',
    'var __defProp = (o, k, d) => Object.defineProperty(o, k, { ...d, configurable: true });',
  ],
  [
    'var __toESM = (mod, isNodeMode, target) => (',
    'var __toESM = (mod, isNodeMode, target) => !isNodeMode && mod?.__esModule ? mod : (',
  ],
];
/** Changes to this file or to esbuild invalidate jest's cached transforms. */
const SELF = createHash('sha256').update(readFileSync(__filename)).update(version).digest('hex');

module.exports = {
  process(source, path) {
    const { code, map } = transformSync(source, {
      loader: path.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      platform: 'node',
      sourcemap: 'external',
      sourcefile: path,
      tsconfigRaw,
      // As tsc's CommonJS output does: import() becomes require(), which jest's module registry serves.
      supported: { 'dynamic-import': false },
    });
    return { code: INTEROP.reduce((c, [from, to]) => c.replace(from, to), code), map };
  },
  getCacheKey(source, path) {
    return createHash('sha256').update(SELF).update(path).update('\0').update(source).digest('hex');
  },
};
