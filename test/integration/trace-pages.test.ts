import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { makeGetLotTrace } from '../../functions/get-lot-trace.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import type { Movement } from '../../lib/domain/movement.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import type { TraceEdge } from '../../lib/domain/trace-edges.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';

let d: Deps;
const root = { gtin: GTIN.romaine, lot: 'TP0' };
const LOTS = 40;
const kit = (i: number) => ({ gtin: GTIN.saladKit, lot: `TPK${i}` });
const day = (n: number) => `2026-02-${String(n).padStart(2, '0')}T08:00:00Z`;

beforeAll(async () => {
  const raw = await freshTable('trace-pages');
  d = depsFor(raw.doc, raw.tableName);
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  const movements: Movement[] = [mv({ type: 'receive', ...root, quantity: 400, counterparty: 'farm-1', occurredAt: day(1) })];
  for (let i = 0; i < LOTS; i++) {
    movements.push(mv({ type: 'transform', ...kit(i), quantity: 4, inputs: [{ ...root, quantity: 2 }], occurredAt: day(2 + (i % 6)) }));
    movements.push(mv({ type: 'sell', ...kit(i), quantity: 1, counterparty: 'cust-1', occurredAt: day(9 + (i % 9)) }));
  }
  const report = await recordMovements(d, movements);
  expect(report.rejected).toBe(0);
});

type Page = {
  lots: { lot: string }[];
  edges: TraceEdge[];
  movements: { gtin: string; lot: string; seq: number; occurredAt: string }[];
  movementsTotal: number;
  nextCursor?: string;
};

describe('trace movement pages against DynamoDB Local', () => {
  it('come from one walk: every movement exactly once, later pages reading no lot, while movements keep arriving', async () => {
    // Prepare
    const h = makeGetLotTrace(d);
    const base = `/lots/${root.gtin}/${root.lot}/trace`;
    const before = await call<Page>(h, 'GET', base);
    expect(before.body.lots).toHaveLength(LOTS + 1);
    expect(before.body.edges.length).toBeGreaterThan(LOTS);
    const reads = vi.spyOn(d.ledger, 'lotPartition');
    // Act: page with limit 7, recording new movements of the traced lots (one backdated) as each page is read.
    const seen: Page['movements'] = [];
    let path = `${base}?movements=true&limit=7`;
    let pages = 0;
    let walked = 0; // the first page's walk: every page is cut from it
    for (;;) {
      const [p] = await Promise.all([
        call<Page>(h, 'GET', path),
        recordMovements(d, [mv({ type: 'sell', ...kit(pages), quantity: 1, counterparty: 'cust-1', occurredAt: day(pages % 2 === 0 ? 1 : 28) })]),
      ]);
      expect(p.status).toBe(200);
      expect(p.body.lots).toEqual(before.body.lots);
      seen.push(...p.body.movements);
      if (pages === 0) walked = p.body.movementsTotal;
      expect(p.body.movementsTotal).toBe(walked);
      pages++;
      if (!p.body.nextCursor) break;
      if (pages === 1) reads.mockClear(); // the first page walks the graph; the others must not read a lot
      path = `${base}?limit=7&cursor=${p.body.nextCursor}`;
    }
    // Assess
    expect(reads).not.toHaveBeenCalled();
    const ids = seen.map((e) => `${e.gtin}|${e.lot}|${e.seq}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(walked).toBeGreaterThanOrEqual(before.body.movementsTotal);
    expect(ids).toHaveLength(walked);
    expect(pages).toBe(Math.ceil(walked / 7));
    expect(seen.map((e) => e.occurredAt)).toEqual([...seen.map((e) => e.occurredAt)].sort());
    reads.mockRestore();
  });
});
