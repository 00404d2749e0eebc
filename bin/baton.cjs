#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step): `npx baton ...` works right after `npm ci`.
// The local engine pins Node 20 support; the SDK's notice about Node 22 is noise for CLI users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs/api').register();
require('./baton.ts');
