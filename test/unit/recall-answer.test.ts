import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AFFECTED_LISTED, affectedList, answerOf } from '../../lib/domain/recall-answer.js';
import type { AffectedSite } from '../../lib/domain/recall-blast-radius.js';

const site = (i: number, kind: AffectedSite['kind']): AffectedSite => ({ siteId: `s-${i}`, kind, onHand: kind === 'customer' ? 0 : 3, received: 1 });

describe('the affected lists of a recall answer', () => {
  it('lists every site and customer of a small recall, not truncated', () => {
    const sites = [site(0, 'store'), site(1, 'customer'), site(2, 'distributor')];
    expect(answerOf('R-1', false, { lots: [], sites }, 5).affected).toEqual({
      lots: [],
      sites,
      customers: ['s-1'],
      sitesTotal: 3,
      customersTotal: 1,
      truncated: false,
    });
  });

  it('stops at AFFECTED_LISTED entries a list, counts them all, and says so', () => {
    const sites = Array.from({ length: AFFECTED_LISTED + 7 }, (_, i) => site(i, i < 3 ? 'store' : 'customer'));
    const a = affectedList([], sites);
    expect(a.sites).toHaveLength(AFFECTED_LISTED);
    expect(a.customers).toHaveLength(AFFECTED_LISTED);
    expect(a).toMatchObject({ sitesTotal: AFFECTED_LISTED + 7, customersTotal: AFFECTED_LISTED + 4, truncated: true });
    // 100,000 customers: the answer stays far below Lambda's 6 MB
    const big = affectedList(
      [],
      Array.from({ length: 100_000 }, (_, i) => site(i, 'customer')),
    );
    expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThan(1_000_000);
  });

  it('keeps the lists a prefix of the trace order, with totals from the record when it is read back', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<AffectedSite['kind']>('store', 'customer', 'warehouse'), { maxLength: 60 }), (kinds) => {
        const sites = kinds.map((k, i) => site(i, k));
        const a = affectedList([], sites, { sites: sites.length + 100, customers: 1_000 });
        expect(a.sites).toEqual(sites.slice(0, AFFECTED_LISTED));
        expect(a.customers).toEqual(sites.filter((s) => s.kind === 'customer').map((s) => s.siteId));
        expect(a).toMatchObject({ sitesTotal: sites.length + 100, customersTotal: 1_000, truncated: true });
      }),
    );
  });
});
