/** Conditions compile to JSONata that means what SPEC §3 says and never throws on odd data. */
import { holds } from '../../lib/core/jsonata';
import { conditionToJsonata, parseExpr, variableScope } from '../../lib/journey/expressions';
import type { Condition } from '../../lib/journey/schema';

const data = {
  trigger: { data: { value: 120, name: 'Ana', tags: ['vip', 'new'], note: 'abandoned checkout', 'cart-id': 'k-1' } },
  profile: { attributes: { tier: 'gold' } },
  messages: { nudge: { status: 'opened' } },
};

const check = (c: Condition) => holds(conditionToJsonata(c, variableScope), data);

describe('conditions', () => {
  it.each<[Condition, boolean]>([
    [{ path: 'trigger.data.value', eq: 120 }, true],
    [{ path: 'trigger.data.value', ne: 120 }, false],
    [{ path: 'trigger.data.missing', ne: 1 }, true],
    [{ path: 'trigger.data.value', gt: 100 }, true],
    [{ path: 'trigger.data.value', gte: 120 }, true],
    [{ path: 'trigger.data.value', lt: 120 }, false],
    [{ path: 'trigger.data.value', lte: 120 }, true],
    [{ path: 'trigger.data.name', gt: 100 }, false],
    [{ path: 'trigger.data.missing', lt: 100 }, false],
    [{ path: 'messages.nudge.status', in: ['opened', 'clicked'] }, true],
    [{ path: 'messages.other.status', in: ['opened'] }, false],
    [{ path: 'profile.attributes.tier', exists: true }, true],
    [{ path: 'profile.attributes.phone', exists: false }, true],
    [{ path: 'trigger.data.tags', contains: 'vip' }, true],
    [{ path: 'trigger.data.note', contains: 'checkout' }, true],
    [{ path: 'trigger.data.value', contains: 'x' }, false],
    [{ path: 'trigger.data.note', startsWith: 'aband' }, true],
    [{ path: 'trigger.data.value', startsWith: '1' }, false],
    [{ path: 'trigger.data.cart-id', eq: 'k-1' }, true],
    [
      {
        all: [
          { path: 'trigger.data.value', gt: 1 },
          { path: 'profile.attributes.tier', eq: 'gold' },
        ],
      },
      true,
    ],
    [
      {
        any: [
          { path: 'trigger.data.value', gt: 1000 },
          { path: 'profile.attributes.tier', eq: 'silver' },
        ],
      },
      false,
    ],
    [{ not: { path: 'trigger.data.value', gt: 1000 } }, true],
    [{ all: [] }, true],
    [{ any: [] }, false],
  ])('%j holds: %s', async (c, want) => {
    await expect(check(c)).resolves.toBe(want);
  });

  it('parses quoted literals, numbers and booleans as literals and rejects unknown roots', () => {
    expect(parseExpr("'abandoned checkout'")).toEqual({ kind: 'literal', value: 'abandoned checkout' });
    expect(parseExpr(3)).toEqual({ kind: 'literal', value: 3 });
    expect(parseExpr('trigger.data.x')).toEqual({ kind: 'path', root: 'trigger', segments: ['data', 'x'] });
    expect(parseExpr('customer.id')).toMatchObject({ kind: 'error', message: expect.stringContaining('unknown root') });
  });
});

describe('Step Functions JSONata functions', () => {
  it.each<[string, unknown]>([
    ['$partition([1,2,3,4,5], 2)', [[1, 2], [3, 4], [5]]],
    ['$range(0, 10, 5)', [0, 5, 10]],
    ['$range(3, 1, -1)', [3, 2, 1]],
    ['$parse(\'{"a":[1]}\').a[0]', 1],
    ['$hash("hello", "SHA-256")', '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'],
    ['$random(7) = $random(7)', true],
    ['$random() < 1', true],
    ['$length($uuid())', 36],
  ])('%s', async (expr, want) => {
    const { evaluate } = await import('../../lib/core/jsonata');
    expect(JSON.parse(JSON.stringify(await evaluate(expr, {})))).toEqual(want);
  });
});
