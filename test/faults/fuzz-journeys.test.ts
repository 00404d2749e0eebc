/**
 * Fuzzed journey files through the path `baton validate` takes (loadJourneyFile: read, parse,
 * validate against the templates beside the file): mutations of the bundled workflows/*.json
 * (dropped fields, wrong types, dangling targets, bad durations and expressions, unknown step
 * types, instant loops, huge ids and values, deep nesting) and files that are not JSON at all.
 * Proves: the validator never throws; every rejected file gets problems whose JSON pointer is in
 * the document and whose message names the value found; every file it accepts compiles to ASL
 * that asl-validator accepts. The CLI prints file:/pointer: message and exits 1, and a reload of
 * a folder with a broken file still publishes the good journeys beside it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { silentLogger } from '../../lib/core/ports';
import { compileJourney, renderAsl, substitute } from '../../lib/journey/compile';
import { journeyFiles, loadJourneyFile } from '../../lib/journey/load';
import { show } from '../../lib/journey/schema';
import { reloadJourneys } from '../../lib/local/reload';
import { localSubstitutions } from '../../lib/local/runtime';
import { aslValidator } from '../asl-validator';
import { baton } from '../cli/run-baton';
import { ROOT } from '../helpers';

const SEED = 20260808;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const FILES = journeyFiles([join(ROOT, 'workflows')]);
const DOCS = FILES.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Json);

/** One folder with the bundled templates, where each fuzzed document is written and loaded. */
const DIR = mkdtempSync(join(tmpdir(), 'baton-fuzz-journeys-'));
cpSync(join(ROOT, 'workflows', 'templates'), join(DIR, 'templates'), { recursive: true });
const FILE = join(DIR, 'fuzzed.json');

function loadText(text: string) {
  writeFileSync(FILE, text);
  return loadJourneyFile(FILE);
}

function pathsOf(value: Json, path: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [path];
  const children = Array.isArray(value)
    ? value.flatMap((v, i) => pathsOf(v, [...path, i]))
    : Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...path, k]));
  return [path, ...children];
}

function at(doc: Json, path: Path): Json | undefined {
  let cur: Json | undefined = doc;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, Json>)[k];
  }
  return cur;
}

/** A copy of `doc` with the value at `path` replaced (or deleted when `value` is undefined). */
function setAt(doc: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const copy = structuredClone(doc) as Record<string | number, Json>;
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, Json>;
  const key = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = value;
  return copy;
}

function decodePointer(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const DURATION_KEYS = new Set(['for', 'timeout', 'cooldown', 'maxDuration', 'within', 'per', 'sessionElapsed']);
const TARGET_KEYS = new Set(['next', 'default', 'onTimeout', 'onSuppressed', 'onError', 'goto', 'start']);
const stringPaths = (doc: Json, keys: Set<string>) =>
  pathsOf(doc).filter((p) => typeof at(doc, p) === 'string' && keys.has(String(p[p.length - 1])));
/** Strings read as expressions: match, context, set, payload values, dedupeBy entries, condition paths, until. */
const expressionPaths = (doc: Json) =>
  pathsOf(doc).filter(
    (p) =>
      typeof at(doc, p) === 'string' &&
      (['match', 'context', 'set', 'payload', 'dedupeBy'].includes(String(p[p.length - 2])) ||
        p.at(-1) === 'path' ||
        p.at(-1) === 'until'),
  );

const badDurations = fc.oneof(
  fc.constantFrom('P', 'PT', '1H', 'PT1H30', 'P1.5D', 'P-1D', 'PT-5M', 'P2Y', 'P400D', 'P99999999999D', 'pt1h', ''),
  fc.string({ maxLength: 12 }),
);
const badExpressions = fc.oneof(
  fc.constantFrom(
    '$x',
    'trigger.data.`x`',
    'profile..email',
    'trigger.data.a b',
    '(1 + 1)',
    "'unterminated",
    '{% $states.input %}',
    'trigger.data.%}',
    'customer.secret',
    'messages.nope.status',
    'events.nope.data',
    'session.nothing',
    'context.undefined-key',
    'profile',
    '\'%} {% $eval("1")\'',
    '2026-12-01T00:00:00Z\u2028',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const wrongTypes = fc.oneof(
  fc.constantFrom<Json>(null, true, 0, -1, 1.5, 1e308, '', [], {}, ['x'], { x: 1 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);
const hugeStrings = fc.oneof(
  fc.integer({ min: 64, max: 5000 }).map((n) => `a${'b'.repeat(n)}`),
  fc.string({ unit: 'grapheme', minLength: 100, maxLength: 400 }),
);

/** A mutation: a function of the document, chosen with the values it needs. */
type Mutation = (doc: Json) => Json;
const pick = <T>(items: T[], i: number): T | undefined => (items.length ? items[i % items.length] : undefined);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Drop a field, or an array item.
  fc.nat().map((i) => (doc: Json) => {
    const p = pick(pathsOf(doc).slice(1), i);
    return p ? setAt(doc, p, undefined) : doc;
  }),
  // A value of the wrong type anywhere.
  fc.tuple(fc.nat(), wrongTypes).map(([i, v]) => (doc: Json) => {
    const p = pick(pathsOf(doc).slice(1), i);
    return p ? setAt(doc, p, v) : doc;
  }),
  // A target that names no step.
  fc.tuple(fc.nat(), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)).map(([i, name]) => (doc: Json) => {
    const p = pick(stringPaths(doc, TARGET_KEYS), i);
    return p ? setAt(doc, p, `gone-${name}`) : doc;
  }),
  fc.tuple(fc.nat(), badDurations).map(([i, d]) => (doc: Json) => {
    const p = pick(stringPaths(doc, DURATION_KEYS), i);
    return p ? setAt(doc, p, d) : doc;
  }),
  fc.tuple(fc.nat(), badExpressions).map(([i, e]) => (doc: Json) => {
    const p = pick(expressionPaths(doc), i);
    return p ? setAt(doc, p, e) : doc;
  }),
  // A quoted literal of any text where an expression goes: always valid, so it must compile.
  fc
    .tuple(
      fc.nat(),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.constantFrom('', '\u2028', '%}', '{%', '"', '\\'),
    )
    .map(([i, text, odd]) => (doc: Json) => {
      const p = pick(
        expressionPaths(doc).filter((q) => q.at(-1) !== 'path'),
        i,
      );
      return p ? setAt(doc, p, `'${text}${odd}'`) : doc;
    }),
  // An unknown step type.
  fc
    .tuple(fc.nat(), fc.oneof(fc.constantFrom('teleport', 'Wait', 'SEND', '', 'parallel'), fc.string()))
    .map(([i, type]) => (doc: Json) => {
      const p = pick(
        pathsOf(doc).filter((q) => q.length === 3 && q[0] === 'steps' && q[2] === 'type'),
        i,
      );
      return p ? setAt(doc, p, type) : doc;
    }),
  // A step that leads back to itself without pausing (only waits may close a loop).
  fc.nat().map((i) => (doc: Json) => {
    const steps = (at(doc, ['steps']) ?? {}) as Record<string, Record<string, Json>>;
    const id = pick(
      Object.keys(steps).filter((s) => {
        const step = steps[s];
        return step && typeof step === 'object' && !['wait', 'waitFor'].includes(String(step.type)) && 'next' in step;
      }),
      i,
    );
    return id ? setAt(doc, ['steps', id, 'next'], id) : doc;
  }),
  // Huge or exotic strings anywhere a string is.
  fc.tuple(fc.nat(), hugeStrings).map(([i, s]) => (doc: Json) => {
    const p = pick(
      pathsOf(doc).filter((q) => typeof at(doc, q) === 'string'),
      i,
    );
    return p ? setAt(doc, p, s) : doc;
  }),
  // A huge step id (renaming the start step so the reference stays intact).
  fc.integer({ min: 63, max: 3000 }).map((n) => (doc: Json) => {
    const d = doc as { start: Json; steps: Record<string, Json> };
    if (typeof d.start !== 'string' || !d.steps || typeof d.steps !== 'object') return doc;
    const long = `s${'x'.repeat(n)}`;
    const steps = Object.fromEntries(Object.entries(d.steps).map(([k, v]) => [k === d.start ? long : k, v]));
    return { ...(doc as object), start: long, steps } as Json;
  }),
  // An unknown field, possibly a prototype key.
  fc
    .tuple(fc.nat(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'Type', 'nxt'), wrongTypes)
    .map(([i, key, v]) => (doc: Json) => {
      const objects = pathsOf(doc).filter((q) => {
        const o = at(doc, q);
        return o !== null && typeof o === 'object' && !Array.isArray(o);
      });
      const p = pick(objects, i) ?? [];
      const copy = structuredClone(doc);
      Object.defineProperty(at(copy, p), key, { value: v, enumerable: true, writable: true, configurable: true });
      return copy;
    }),
);

function expectPointedProblems(doc: Json | undefined, problems: { pointer: string; code: string; message: string }[]) {
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p.pointer === '' || p.pointer.startsWith('/')).toBe(true);
    expect(typeof p.code).toBe('string');
    expect(p.message.length).toBeGreaterThan(10);
    if (doc === undefined) continue;
    // The pointer leads into the document: its parent exists (the last segment may be the missing field).
    const segments = decodePointer(p.pointer);
    const parent = at(doc, segments.slice(0, -1));
    if (segments.length && !(parent !== undefined && typeof parent === 'object')) {
      throw new Error(`pointer ${p.pointer} (${p.code}) is not in the document: ${p.message}`);
    }
    // A problem at a value that is there names it, as the user wrote it (an unknown field names its key).
    const found = at(doc, segments);
    const namesKey = p.code === 'unknown-field' && p.message.includes(show(segments.at(-1)));
    if (found !== undefined && (typeof found !== 'object' || found === null) && !namesKey) {
      const shown = show(found);
      if (!p.message.includes(shown.slice(0, 20)) && !p.message.includes(String(found).slice(0, 20))) {
        throw new Error(`${p.pointer}: message does not name the value ${shown}: ${p.message}`);
      }
    }
  }
}

function expectValidAsl(journey: Parameters<typeof compileJourney>[0]) {
  const result = aslValidator(JSON.parse(substitute(renderAsl(compileJourney(journey)), localSubstitutions())));
  if (!result.isValid) throw new Error(`accepted journey compiles to invalid ASL: ${JSON.stringify(result.errors)}`);
}

describe('fuzzed journey files', () => {
  it('mutations of the bundled journeys: pointed problems, or a journey that compiles to valid ASL', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: DOCS.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (which, mutations) => {
          const doc = mutations.reduce((d, m) => m(d), DOCS[which]);
          const r = loadText(JSON.stringify(doc));
          if (r.ok) {
            accepted++;
            expectValidAsl(r.loaded.journey);
          } else expectPointedProblems(doc, r.problems);
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
    // Some mutations are harmless (a description dropped): those must compile, and some did.
    expect(accepted).toBeGreaterThan(0);
  });

  it('documents nested far too deep are rejected at the deep place, never a stack overflow', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: DOCS.length - 1 }),
        fc.nat(),
        fc.integer({ min: 70, max: 20000 }),
        fc.constantFrom('array', 'not'),
        (which, i, depth, shape) => {
          const doc = DOCS[which];
          let deep: Json = shape === 'not' ? { path: 'trigger.data.value', gte: 1 } : 1;
          for (let d = 0; d < depth; d++) deep = shape === 'not' ? { not: deep } : [deep];
          const p = pick(pathsOf(doc).slice(1), i)!;
          const mutated = setAt(doc, p, deep);
          // JSON.stringify recurses too: build the text by hand.
          const marker = '"__deep__"';
          const text = JSON.stringify(setAt(doc, p, '__deep__')).replace(
            marker,
            shape === 'not'
              ? `${'{"not":'.repeat(depth)}{"path":"trigger.data.value","gte":1}${'}'.repeat(depth)}`
              : `${'['.repeat(depth)}1${']'.repeat(depth)}`,
          );
          const r = loadText(text);
          expect(r.ok).toBe(false);
          if (!r.ok) {
            expect(r.problems).toEqual([expect.objectContaining({ code: 'too-deep' })]);
            expect(r.problems[0].pointer.startsWith(`/${p.join('/')}`)).toBe(true);
            expectPointedProblems(depth < 1000 ? mutated : undefined, r.problems);
          }
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('files that are not JSON, or JSON that is not a journey, are rejected with a pointed problem', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.json({ maxDepth: 3 }).map((j) => j.slice(0, Math.max(0, j.length - 1))),
      fc.json({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = loadText(t);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        let doc: Json | undefined;
        try {
          doc = JSON.parse(t);
        } catch {
          expect(r.problems).toEqual([
            { pointer: '', code: 'bad-json', message: expect.stringContaining('not valid JSON') },
          ]);
          return;
        }
        expectPointedProblems(doc, r.problems);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('baton validate exits 1 and prints file:/pointer: message for each broken file, with the good ones beside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-fuzz-cli-'));
    mkdirSync(join(dir, 'templates'));
    cpSync(join(ROOT, 'workflows', 'templates'), join(dir, 'templates'), { recursive: true });
    const cart = DOCS[FILES.findIndex((f) => f.endsWith('cart-recovery.json'))] as Record<string, Json>;
    writeFileSync(join(dir, 'cart-recovery.json'), JSON.stringify(cart));
    const dangling = setAt(setAt(cart, ['id'], 'dangling'), ['steps', 'wait-1h', 'next'], 'nowhere');
    writeFileSync(join(dir, 'dangling.json'), JSON.stringify(dangling));
    writeFileSync(join(dir, 'deep.json'), `{"id":"deep","name":${'['.repeat(50000)}${']'.repeat(50000)}}`);
    writeFileSync(join(dir, 'garbage.json'), '\u0000\u00ff{"id": "x",');

    const r = await baton('validate', dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${join(dir, 'dangling.json')}:/steps/wait-1h/next: next names step "nowhere", which does not exist`,
    );
    expect(r.err).toMatch(/deep\.json:\/name(\/0)+: the journey nests more than 64 levels deep/);
    expect(r.err).toContain(`${join(dir, 'garbage.json')}:/: not valid JSON`);
    expect(r.err).not.toContain('cart-recovery.json:');
    expect(r.err).not.toMatch(/RangeError|at .*\.ts:\d+/);
  });

  it('a reload with a broken file beside good ones publishes the good ones and names the broken file', async () => {
    const { startLocalRuntime } = await import('../../lib/local/runtime');
    const { VirtualClock } = await import('../../lib/engine/clock');
    const dir = mkdtempSync(join(tmpdir(), 'baton-fuzz-reload-'));
    cpSync(join(ROOT, 'workflows'), dir, { recursive: true });
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(setAt(DOCS[0], ['steps'], 'none')));
    writeFileSync(join(dir, 'not-json.json'), '{"id": "half');
    const rt = await startLocalRuntime({ journeys: [], clock: new VirtualClock(Date.parse('2026-11-20T15:00:00Z')) });
    try {
      const { outcomes, problems } = await reloadJourneys(rt, dir, silentLogger);
      expect(outcomes.map((o) => o.kind)).toEqual(FILES.map(() => 'published'));
      expect(
        rt.deps.catalog
          .all()
          .map((e) => e.journey.id)
          .sort(),
      ).toEqual(DOCS.map((d) => (d as { id: string }).id).sort());
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringContaining(`${join(dir, 'broken.json')}:/steps: `),
          expect.stringContaining(`${join(dir, 'not-json.json')}:/: not valid JSON`),
        ]),
      );
    } finally {
      await rt.close();
    }
  });
});
