import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCounts, COUNTERS, countsDelta, countsOf, type NoticeState, sumCounts, zeroCounts } from '../../lib/domain/notice-counts.js';

const state = fc.record({
  status: fc.constantFrom('pending', 'published', 'failed', 'unreachable'),
  followUp: fc.integer({ min: 0, max: 5 }),
  published: fc.boolean(),
  delivered: fc.boolean(),
  acknowledged: fc.boolean(),
}) as fc.Arbitrary<NoticeState>;

describe('notice counters', () => {
  it('add up, over any path of states, to the counts of where the notice ended', () => {
    fc.assert(
      fc.property(fc.array(state, { minLength: 1, maxLength: 10 }), (path) => {
        const sum: Record<string, number> = {};
        let before: NoticeState | undefined;
        for (const s of path) {
          addCounts(sum, countsDelta(before, s));
          before = s;
        }
        const end = countsOf(path[path.length - 1]);
        for (const k of COUNTERS) expect(sum[k] ?? 0).toBe(end[k]);
      }),
    );
  });

  it('count a written notice once and its states as the contract names them', () => {
    expect(countsDelta(undefined, { status: 'unreachable', followUp: 0, published: false, delivered: false, acknowledged: false })).toEqual({
      written: 1,
      notNotifiable: 1,
    });
    expect(
      countsDelta(
        { status: 'pending', followUp: 0, published: false, delivered: false, acknowledged: false },
        { status: 'published', followUp: 0, published: true, delivered: true, acknowledged: false },
      ),
    ).toEqual({ published: 1, delivered: 1, pending: -1 });
    expect(
      countsDelta(
        { status: 'failed', followUp: 1, published: true, delivered: false, acknowledged: false },
        { status: 'pending', followUp: 1, published: true, delivered: false, acknowledged: false },
      ),
    ).toEqual({ failed: -1, pending: 1 });
  });

  it('sum counter shards, reading a missing or malformed counter as 0', () => {
    expect(sumCounts([{ written: 3, published: 1 }, { written: 2, failed: 'x' }, {}])).toEqual({ ...zeroCounts(), written: 5, published: 1 });
  });
});
