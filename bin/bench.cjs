#!/usr/bin/env node
// `npm run bench`: the benchmarks in bench/, run through tsx like the CLI (no build step).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs/api').register();
require('../bench/run.ts');
