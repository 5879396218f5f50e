import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { makeGetComplianceKdeGaps } from '../../functions/get-compliance-kde-gaps.js';
import { SiteInput } from '../../lib/domain/master-data.js';
import { Movement } from '../../lib/domain/movement.js';
import { tlcReferenceType } from '../../lib/domain/movement-kdes.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { memoryRunDeps } from '../support/exports.js';
import { GTIN, mv } from '../support/fixtures.js';
import { FULL_GTIN, fullKdeLedger, fullKdeMovements } from '../support/fsma-scenario.js';
import { call } from '../support/http.js';
import { memoryLedger } from '../support/memory-ledger.js';

const issuesOf = (raw: unknown) => {
  const r = Movement.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('movement KDE fields: bad input is a clear 400', () => {
  it('refuses a receivedAt before occurredAt', () => {
    const m = mv({ type: 'transfer', counterparty: 'store-1', occurredAt: '2026-03-01T10:00:00-05:00', receivedAt: '2026-03-01T09:59:59-05:00' });
    expect(issuesOf(m)).toEqual(['receivedAt: must not be before occurredAt (goods arrive after they leave)']);
  });

  it('compares receivedAt and occurredAt as instants, whatever their offsets', () => {
    const m = mv({ type: 'transfer', counterparty: 'store-1', occurredAt: '2026-03-01T10:00:00-05:00', receivedAt: '2026-03-01T15:30:00Z' });
    expect(issuesOf(m)).toEqual([]);
  });

  it('refuses a reference type outside the list, in references as in reference', () => {
    expect(issuesOf(mv({ type: 'receive', references: [{ type: 'WAYBILL' as 'BOL', number: '1' }] }))).toEqual([
      'references.0.type: must be one of BOL, PO, INV, ASN, RMA, OTHER',
    ]);
    expect(issuesOf(mv({ type: 'receive', references: [] }))).toEqual(['references: must hold 1-10 references when given']);
  });

  it('refuses a malformed GLN or FFRN as TLC source reference, and takes good ones and URLs', () => {
    expect(issuesOf(mv({ type: 'receive', tlcSourceReference: '0614141000006' }))).toEqual(['tlcSourceReference: GLN check digit is wrong']);
    expect(issuesOf(mv({ type: 'receive', tlcSourceReference: 'FFRN:1234' }))).toHaveLength(1);
    expect(['0614141000005', 'GLN:0614141000005', 'FFRN:12345678901', '12345678901', 'https://example.com/tlc'].map(tlcReferenceType)).toEqual([
      'GLN',
      'GLN',
      'FFRN',
      'FFRN',
      'URL',
    ]);
  });

  it('refuses a malformed site GLN or FFRN and coordinates out of range', () => {
    const r = SiteInput.safeParse({ kind: 'warehouse', name: 'X', gln: '0614141000006', ffrn: '12-34', coordinates: { lat: 91, lon: 0 } });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.')).sort()).toEqual(['coordinates.lat', 'ffrn', 'gln']);
  });

  it('allows each KDE field only on its movement types', () => {
    expect(issuesOf(mv({ type: 'receive', harvest: { date: '2026-03-01' } }))).toEqual(['harvest: is only allowed for harvest, initial-pack']);
    expect(issuesOf(mv({ type: 'ship', counterparty: 'dist-1', receivedAt: '2026-03-02T00:00:00Z' }))).toEqual([
      'receivedAt: is only allowed for transfer',
    ]);
    expect(issuesOf(mv({ type: 'receive', inputs: [{ gtin: GTIN.tomato, lot: 'T', quantity: 1 }] }))).toEqual([
      'inputs: is only allowed for transform and initial-pack',
    ]);
    expect(
      issuesOf(mv({ type: 'first-land-receive', landing: { harvestDateBegin: '2026-03-02', harvestDateEnd: '2026-03-01', area: 'FAO 77' } })),
    ).toEqual(['landing.harvestDateEnd: must not be before harvestDateBegin']);
  });

  it('rejects an unknown site named by a KDE field and writes nothing', async () => {
    const d = await memoryLedger();
    const r = await recordMovements(d, [
      mv({ eventId: 'p', type: 'initial-pack', lot: 'P9', site: 'dc-1', cooling: { site: 'nowhere', date: '2026-03-01' } }),
    ]);
    expect(r.results[0]).toMatchObject({ status: 'rejected', code: 'site_not_found', errors: [{ path: 'cooling.site' }] });
    expect(d.ledger.lots.size).toBe(0);
  });
});

describe('KDE warnings: accepted anyway', () => {
  it('accepts the every-KDE scenario with no warning', async () => {
    const l = await fullKdeLedger();
    expect(l.report.results.map((r) => [r.status, r.warnings])).toEqual(fullKdeMovements().map(() => ['accepted', undefined]));
  });

  it('names each missing required KDE of an FTL movement, and none for a non-FTL one', async () => {
    const d = await memoryLedger();
    const r = await recordMovements(d, [
      mv({ eventId: 'r', type: 'receive', lot: 'W1', counterparty: 'farm-1' }),
      mv({ eventId: 's', type: 'ship', lot: 'W1', quantity: 1, counterparty: 'dist-1' }),
      mv({ eventId: 'n', type: 'receive', gtin: GTIN.phone, lot: 'N1', counterparty: 'farm-1' }),
    ]);
    expect(r.results.map((x) => x.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const ship = r.results[1]?.warnings ?? [];
    expect(ship.map((w) => w.path)).toEqual(['counterparty', 'counterparty', 'site', 'site', 'tlcSource', 'references', 'references']);
    expect(ship[5]?.message).toBe('Reference Document Type is missing (Shipping, §1.1340(a)(8): Reference document type and number)');
    expect(r.results[2]?.warnings).toBeUndefined();
  });

  it('warns that a cooling after the lot was packed is no Cooling CTE, and one dated after the packing', async () => {
    const l = await fullKdeLedger([
      ...fullKdeMovements(),
      {
        eventId: 'late-cool',
        type: 'cool',
        gtin: FULL_GTIN.packed,
        lot: 'P-200',
        quantity: 40,
        site: 'cooler-a',
        counterparty: 'dc-a',
        references: [{ type: 'BOL', number: 'B' }],
        occurredAt: '2026-03-01T09:00:00-08:00',
      } as Movement,
      {
        eventId: 'pack-2',
        type: 'initial-pack',
        gtin: FULL_GTIN.packed,
        lot: 'P-201',
        quantity: 5,
        site: 'packer-a',
        cooling: { site: 'cooler-a', date: '2026-03-02' },
        occurredAt: '2026-03-01T09:00:00-08:00',
      } as Movement,
    ]);
    const byId = new Map(l.report.results.map((r) => [r.eventId, r]));
    expect(byId.get('late-cool')).toMatchObject({ status: 'accepted', warnings: [{ path: 'type' }] });
    expect(byId.get('pack-2')?.status).toBe('accepted');
    expect(byId.get('pack-2')?.warnings?.[0]).toMatchObject({ path: 'cooling.date' });
    expect(byId.get('pack-2')?.warnings?.map((w) => w.path)).toContain('harvest.date');
  });
});

describe('GET /compliance/kde-gaps', () => {
  const handler = async (movements: Movement[]) => {
    const l = await fullKdeLedger(movements);
    const run = memoryRunDeps(l);
    return makeGetComplianceKdeGaps({ days: run.days, sources: run.sources, clock: run.clock, logger: new Logger({ logLevel: 'SILENT' }) });
  };

  it('lists the rows that lack a required KDE, with what is missing and why, and nothing for complete ones', async () => {
    const h = await handler([
      ...fullKdeMovements(),
      {
        eventId: 'gap-ship',
        type: 'ship',
        gtin: FULL_GTIN.packed,
        lot: 'R-400',
        quantity: 1,
        site: 'dc-a',
        counterparty: 'dist-a',
        occurredAt: '2026-03-01T14:00:00-08:00',
      } as Movement,
    ]);
    const res = await call<{ items: unknown[]; total: number }>(h, 'GET', '/compliance/kde-gaps?from=2026-03-01&to=2026-03-01');
    expect(res).toMatchObject({ status: 200, body: { total: 1 } });
    expect(res.body.items).toEqual([
      {
        eventId: 'gap-ship',
        cte: 'Shipping',
        gtin: FULL_GTIN.packed,
        lot: 'R-400',
        eventTime: '2026-03-01T14:00:00-08:00',
        missing: ['Reference Document Type', 'Reference Document Number'],
        why: '§1.1340(a)(8): Reference document type and number',
      },
    ]);
    const other = await call<{ total: number }>(h, 'GET', `/compliance/kde-gaps?from=2026-03-01&to=2026-03-01&gtin=${FULL_GTIN.tuna}`);
    expect(other.body.total).toBe(0);
  });

  it('answers 400 naming the field for from after to, a missing from, a bad gtin', async () => {
    const h = await handler([]);
    for (const [q, path] of [
      ['from=2026-03-02&to=2026-03-01', 'from'],
      ['to=2026-03-01', 'from'],
      ['from=2026-03-01&to=2026-03-01&gtin=123', 'gtin'],
    ] as const) {
      const res = await call<{ error: { code: string; details: { path: string }[] } }>(h, 'GET', `/compliance/kde-gaps?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0]?.path).toBe(path);
    }
  });
});
