/**
 * Tests are transformed by esbuild (test/esbuild-transform.js), which does not hoist `jest.mock`
 * above the imports as ts-jest and babel-jest do: a module mocked that way is mocked after the code
 * under test has already bound it, and the test silently checks nothing. Spy on the module object
 * instead (`jest.spyOn(module, 'export')`), which every caller reads through.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

it('no test mocks a module with jest.mock (esbuild does not hoist it)', () => {
  const self = join(__dirname, 'no-jest-mock.test.ts');
  const mocking = files(__dirname).filter((f) => f !== self && /\bjest\.(mock|doMock)\(/.test(readFileSync(f, 'utf8')));
  expect(mocking).toEqual([]);
});
