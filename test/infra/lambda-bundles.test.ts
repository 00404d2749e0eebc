/**
 * What each function's bundle carries, built with the options BatonFunction deploys with: only the
 * SDK clients and libraries its use cases call (ROLE_PORTS in lib/aws/runtime.ts), which keeps the
 * bundles small and their cold starts short (bench/cold-start.ts measures both).
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
import { LAMBDA_BUNDLE } from '../../lib/infra/lambda-bundle';

const ROOT = resolve(__dirname, '../..');
const CLIENTS = ['dynamodb', 'sfn', 'sns', 'sesv2', 'eventbridge', 's3'];
const LIBRARIES = ['jsonata', 'liquidjs', '@aws-lambda-powertools/tracer', '@aws-lambda-powertools/metrics'];

/** The packages a bundle's output draws on. */
function packagesOf(fn: string): Set<string> {
  const { metafile } = buildSync({
    ...LAMBDA_BUNDLE,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    entryPoints: [join(ROOT, 'lambdas', `${fn}.ts`)],
    bundle: true,
    outfile: join(tmpdir(), 'baton-bundle-test', 'index.js'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.values((metafile as Metafile).outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([path]) => path),
  );
  const found = new Set<string>();
  for (const path of inputs) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(path);
    if (!pkg) continue;
    found.add(pkg[1]);
    if (pkg[1] === 'zod' && pkg[2]?.startsWith('/v4/locales/') && !pkg[2].endsWith('/en.js')) found.add('zod locales');
  }
  return found;
}

const EXPECTED: Record<string, { clients: string[]; libraries: string[] }> = {
  api: { clients: ['dynamodb', 'sfn'], libraries: ['jsonata'] },
  // Member files and segment files in S3; members' instances started on Step Functions.
  audience: { clients: ['dynamodb', 'sfn', 's3'], libraries: ['jsonata'] },
  closed: { clients: ['dynamodb'], libraries: [] },
  dispatch: { clients: ['dynamodb', 'eventbridge'], libraries: ['jsonata'] },
  ingest: { clients: ['dynamodb', 'sfn'], libraries: ['jsonata'] },
  park: { clients: ['dynamodb'], libraries: [] },
  send: { clients: ['dynamodb', 'sns', 'sesv2'], libraries: ['liquidjs'] },
  step: { clients: ['dynamodb'], libraries: ['jsonata'] },
};

test('every function has its expectation', () => {
  const fns = readdirSync(join(ROOT, 'lambdas')).map((f) => f.replace(/\.ts$/, ''));
  expect(fns.sort()).toEqual(Object.keys(EXPECTED).sort());
});

test.each(Object.entries(EXPECTED))('the %s bundle carries only what it calls', (fn, expected) => {
  const found = packagesOf(fn);
  expect(CLIENTS.filter((c) => found.has(`@aws-sdk/client-${c}`)).sort()).toEqual([...expected.clients].sort());
  // Powertools' tracer and metrics are in every function.
  expect(LIBRARIES.filter((l) => found.has(l)).sort()).toEqual(
    [...expected.libraries, '@aws-lambda-powertools/tracer', '@aws-lambda-powertools/metrics'].sort(),
  );
  // zod is imported as a namespace (`import * as z`), so esbuild drops what the schemas never use:
  // `import { z }` anywhere would bring every locale back.
  expect(found.has('zod locales')).toBe(false);
});
