import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LedgerStore } from '../../lib/domain/ledger-ports.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { GTIN, mv } from '../support/fixtures.js';
import { memoryLedger } from '../support/memory-ledger.js';

/** The same store seen through the plain port only, so recordMovements takes the careful, one-by-one path. */
const carefulOnly = (s: LedgerStore): LedgerStore => ({
  snapshot: (m, c) => s.snapshot(m, c),
  commit: (p) => s.commit(p),
  getEvent: (id) => s.getEvent(id),
});

const op = fc.record({
  type: fc.constantFrom('receive', 'ship', 'transfer', 'sell', 'return', 'dispose', 'adjust'),
  lot: fc.constantFrom('A', 'B', 'C', 'D'),
  site: fc.constantFrom('dc-1', 'store-1'),
  quantity: fc.integer({ min: 1, max: 30 }),
  dupOf: fc.option(fc.nat(40), { nil: undefined }),
});

describe('group commit', () => {
  it('commits a wide batch in a few transactions', async () => {
    const d = await memoryLedger();
    const batch = Array.from({ length: 200 }, (_, i) => mv({ type: 'receive', lot: `W${i}`, quantity: 1, counterparty: 'farm-1' }));
    const r = await recordMovements(d, batch);
    expect(r.accepted).toBe(200);
    expect(d.ledger.groupCommits).toBeGreaterThan(0);
    // 4 actions a receipt of a new lot: event, lot meta, stock head, pending entry
    expect(d.ledger.groupCommits).toBe(Math.ceil(200 / Math.floor(100 / 4)));
  });

  it('gives exactly the results and state of recording one by one in batch order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const movements = ops.map((o, i) =>
          mv({
            eventId: `e${o.dupOf !== undefined && o.dupOf < i ? o.dupOf : i}`,
            type: o.type as never,
            lot: o.lot,
            site: o.site,
            quantity: o.type === 'adjust' && o.quantity % 2 ? -o.quantity : o.quantity,
            occurredAt: '2026-03-01T10:00:00Z',
            ...(o.type === 'transfer' ? { counterparty: o.site === 'dc-1' ? 'store-1' : 'dc-1' } : {}),
            ...(o.type === 'ship' ? { counterparty: 'dist-1' } : {}),
          }),
        );
        const fast = await memoryLedger();
        const slow = await memoryLedger();
        const a = await recordMovements(fast, movements);
        const b = await recordMovements({ ...slow, ledger: carefulOnly(slow.ledger) }, movements);
        const strip = (r: typeof a) => r.results.map((x) => [x.status, x.code]);
        expect(strip(a)).toEqual(strip(b));
        for (const lot of ['A', 'B', 'C', 'D']) {
          const fa = await fast.ledger.getLot({ gtin: GTIN.romaine, lot });
          const sa = await slow.ledger.getLot({ gtin: GTIN.romaine, lot });
          expect(fa?.balances).toEqual(sa?.balances);
          expect(fa?.seq).toEqual(sa?.seq);
        }
      }),
      { numRuns: 200, seed: 1129 },
    );
  });
});
