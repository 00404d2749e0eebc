/**
 * Real exports have quirks (SPEC §8): an activity with two types at once, a NextActivity or
 * MessageActivity naming an activity that does not exist, empty branches, activities no path
 * reaches. Each is reported with its pointer, the import keeps going (exit 3), and what it writes
 * still validates.
 */
import { validateJourney } from '../../../lib/journey/validate';
import { definition, importDefinition, itemsAt, onlyJourney } from './helpers';

const wait = (next?: string) => ({ Wait: { WaitTime: { WaitFor: 'PT1H' }, ...(next ? { NextActivity: next } : {}) } });

describe('quirks of real exports', () => {
  const result = importDefinition(
    definition({
      StartActivity: 'Both',
      Activities: {
        // Two types at once: read as the first (CUSTOM before EMAIL in the service model), the other reported.
        Both: {
          EMAIL: { TemplateName: 'Hello', NextActivity: 'Gone' },
          CUSTOM: { DeliveryUri: 'https://hooks.example.com/x', NextActivity: 'Multi' },
        },
        Multi: {
          MultiCondition: {
            Branches: [
              { NextActivity: 'Random' },
              {
                Condition: { SegmentDimensions: { UserAttributes: { Tier: { Values: ['gold'] } } } },
                NextActivity: 'Missing',
              },
            ],
            DefaultActivity: 'EmptyMulti',
          },
        },
        EmptyMulti: { MultiCondition: { Branches: [], DefaultActivity: 'Random' } },
        Random: {
          RandomSplit: {
            Branches: [
              { Percentage: 0, NextActivity: 'Orphan' },
              { Percentage: 100, NextActivity: 'Typeless' },
            ],
          },
        },
        Typeless: { Description: 'nothing here' },
        Orphan: wait(),
        Gone: wait(),
        NoHoldout: { Holdout: { Percentage: 0, NextActivity: 'Orphan' } },
      },
    }),
  );
  const doc = onlyJourney(result);
  const todo = (pointer: string) =>
    itemsAt(result, `/JourneyResponse${pointer}`)
      .filter((i) => i.level === 'todo')
      .map((i) => i.message);

  it('an activity with two types is read as one; the other is reported', () => {
    expect(doc.steps.both).toMatchObject({ type: 'action', target: 'webhook.hooks-example-com', next: 'multi' });
    expect(todo('/Activities/Both')).toEqual([expect.stringContaining('is CUSTOM and EMAIL at once')]);
  });

  it('a branch without a condition never holds (todo); a NextActivity naming nothing ends the journey there (todo)', () => {
    expect(doc.steps.multi).toEqual({
      type: 'branch',
      cases: [
        {
          if: {
            path: 'profile.attributes.pinpoint_unmapped',
            eq: '/Activities/Multi/MultiCondition/Branches/0/Condition',
          },
          next: 'typeless',
        },
        { if: { path: 'profile.attributes.tier', eq: 'gold' }, next: 'end' },
      ],
      // The empty multivariate split passes everyone to its default, and the random split with one
      // branch left to that branch: both are skipped over.
      default: 'typeless',
    });
    expect(todo('/Activities/Multi/MultiCondition/Branches/0/Condition')).toEqual([expect.stringContaining('empty')]);
    expect(todo('/Activities/Multi/MultiCondition/Branches/1/NextActivity')).toEqual([
      'names activity "Missing", which does not exist: participants end the journey there',
    ]);
    expect(todo('/Activities/EmptyMulti/MultiCondition/Branches')).toEqual([expect.stringContaining('no branches')]);
  });

  it('a random split with one branch left is skipped over; an activity with no type ends the journey', () => {
    expect(doc.steps.random).toBeUndefined();
    expect(doc.steps.typeless).toEqual({ type: 'end', reason: 'pinpoint activity Typeless had no type' });
    expect(todo('/Activities/Typeless')).toEqual([expect.stringContaining('has no type')]);
  });

  it('activities no path reaches are not imported, each reported', () => {
    expect(doc.steps.orphan).toBeUndefined();
    expect(doc.steps.gone).toBeUndefined();
    expect(todo('/Activities/Orphan')).toEqual([expect.stringContaining('not reachable from StartActivity')]);
    expect(todo('/Activities/Gone')).toEqual([expect.stringContaining('not reachable')]);
    // A 0% holdout passes everyone on; it is skipped, not reported unreachable.
    expect(todo('/Activities/NoHoldout')).toEqual([]);
  });

  it('what is written validates, and the import exits 3', () => {
    expect(validateJourney(doc, { templateExists: () => true })).toMatchObject({ ok: true });
    expect(result.exitCode).toBe(3);
  });

  it('a start activity that only passes participants on starts at its target', () => {
    const r = importDefinition(
      definition({
        StartActivity: 'Skip',
        Activities: { Skip: { Holdout: { Percentage: 0, NextActivity: 'W' } }, W: wait() },
      }),
    );
    expect(onlyJourney(r).start).toBe('w');
  });

  it('a written journey that would not validate says so in the report (a wait over a year)', () => {
    const r = importDefinition(
      definition({
        StartActivity: 'A',
        Activities: {
          A: { Wait: { WaitTime: { WaitFor: 'P300D' }, NextActivity: 'B' } },
          B: { Wait: { WaitTime: { WaitFor: 'P100D' } } },
        },
      }),
    );
    expect(r.report).toContainEqual(
      expect.objectContaining({
        level: 'todo',
        pointer: '/JourneyResponse',
        message: expect.stringContaining('does not validate at /steps'),
      }),
    );
    expect(r.exitCode).toBe(3);
  });
});
