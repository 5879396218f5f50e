import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { ExportManifest } from '../../lib/domain/exports.js';
import { guardCell } from '../../lib/domain/formula-guard.js';
import { FSMA_COLUMNS, type FsmaRow, fsmaRows, locationDescription } from '../../lib/domain/fsma204.js';
import type { Movement } from '../../lib/domain/movement.js';
import { ExportLookup } from '../../lib/exports/export-lookup.js';
import { runExport } from '../../lib/exports/run-export.js';
import { ledgerWith, life, memoryRunDeps, pendingJob } from '../support/exports.js';
import { GTIN, mv } from '../support/fixtures.js';

async function rowsOf(movements: Movement[]) {
  const l = await ledgerWith(movements);
  const lookup = new ExportLookup({ master: l.master, heads: async (ks) => ks.flatMap((k) => l.ledger.lots.get(`${k.gtin}|${k.lot}`) ?? []) });
  await lookup.prepare(l.entries);
  const byEvent = new Map<string, FsmaRow[]>();
  for (const e of l.entries) for (const r of fsmaRows(e, lookup)) byEvent.set(r['Event ID'], [...(byEvent.get(r['Event ID']) ?? []), r]);
  return byEvent;
}

describe('FSMA 204 mapping', () => {
  it('maps each movement type to its critical tracking events and leaves the exempt ones out', async () => {
    // Prepare / Act
    const rows = await rowsOf(life());
    // Assess
    const ctes = Object.fromEntries([...rows].map(([id, rs]) => [id, rs.map((r) => r['Critical Tracking Event'])]));
    expect(ctes).toEqual({
      'e01-harvest': ['Harvesting'],
      'e02-cool': ['Cooling'],
      'e03-pack': ['Initial Packing'],
      'e04-flr': ['First Land-Based Receiving'],
      'e05-receive': ['Receiving'],
      'e06-ship': ['Shipping'],
      'e07-transfer': ['Shipping', 'Receiving'],
      'e10-b2b-return': ['Receiving'],
      'e11-tomato': ['Receiving'],
      'e12-transform': ['Transformation', 'Transformation'],
    });
  });

  it('writes a transfer as Shipping at the site and Receiving at the destination, with counterparty roles', async () => {
    const [ship, receive] = (await rowsOf(life())).get('e07-transfer') ?? [];
    expect(ship).toMatchObject({
      'Location ID': 'dc-1',
      'Counterparty Location ID': 'store-1',
      'Counterparty Role': 'Immediate Subsequent Recipient',
    });
    expect(receive).toMatchObject({ 'Location ID': 'store-1', 'Counterparty Location ID': 'dc-1', 'Counterparty Role': 'Immediate Previous Source' });
  });

  it('writes a transformation as one row per input lot sharing the event id, the new lot as the TLC', async () => {
    const rows = (await rowsOf(life())).get('e12-transform') ?? [];
    expect(
      rows.map((r) => [
        r['Traceability Lot Code'],
        r.GTIN,
        r.Quantity,
        r['Input Traceability Lot Code'],
        r['Input GTIN'],
        r['Input Quantity'],
        r['Input Unit of Measure'],
      ]),
    ).toEqual([
      ['K1', GTIN.saladKit, '20', 'R1', GTIN.romaine, '4', 'case'],
      ['K1', GTIN.saladKit, '20', 'T1', GTIN.tomato, '3', 'case'],
    ]);
    expect(rows[0]?.['TLC Source Location ID']).toBe('dc-1');
  });

  it('names the TLC source from the lot (site description and GLN, else siteId) and the reference document', async () => {
    const rows = await rowsOf(life());
    expect(rows.get('e05-receive')?.[0]).toMatchObject({
      'TLC Source Location ID': 'grower-1',
      'TLC Source Location Description': 'Sunny Grower; 555-0101',
      'Counterparty Location Description': 'Sunny Grower; 555-0101',
      'Reference Document Type': 'BOL',
      'Reference Document Number': '=SUM(A1)',
    });
    expect(rows.get('e03-pack')?.[0]).toMatchObject({
      'Location ID': '0614141000005',
      'TLC Source Location ID': '0614141000005',
      'TLC Source Location Description': 'Valley Packers; +1 831 555 0100; 1 Field Rd, Salinas, CA 93901, US',
    });
  });

  it('writes the location description as Name; Phone; Street, City, State ZIP, Country without empty parts', () => {
    expect(locationDescription({ name: 'A', phone: '1', address: { street: 'S', city: 'C', state: 'ST', postalCode: '9', country: 'US' } })).toBe(
      'A; 1; S, C, ST 9, US',
    );
    expect(locationDescription({ name: 'DC East', address: { city: 'Newark', state: 'NJ' } })).toBe('DC East; Newark, NJ');
    expect(locationDescription({ name: 'Only', address: { postalCode: '07101' } })).toBe('Only; 07101');
    expect(locationDescription({ name: 'Bare' })).toBe('Bare');
  });

  it("prefixes cells starting with = + - @ with ' and leaves others alone", () => {
    expect(['=1', '+1', '-1', '@x', 'a=b', '', "'x"].map(guardCell)).toEqual(["'=1", "'+1", "'-1", "'@x", 'a=b', '', "'x"]);
  });
});

describe('fsma204-csv export', () => {
  it('writes the header and rows with RFC 4180 quoting, CRLF line ends and the formula guard', async () => {
    // Prepare
    const l = await ledgerWith(life());
    const d = memoryRunDeps(l);
    const job = pendingJob('X-csv', { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' });
    await d.jobs.create(job);
    // Act
    const done = await runExport(d, job.exportId);
    // Assess
    const text = d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '';
    expect(text.startsWith(`${FSMA_COLUMNS.join(',')}\r\n`)).toBe(true);
    const records = parse(text, { columns: true }) as FsmaRow[];
    expect(records).toHaveLength(12);
    expect(done).toMatchObject({ status: 'complete', rowCount: 12 });
    expect(records.find((r) => r['Event ID'] === 'e05-receive')?.['Reference Document Number']).toBe("'=SUM(A1)");
    expect(text).toContain(
      '\r\ne04-flr,First Land-Based Receiving,2026-03-01,F1,00614141000029,Roma tomatoes,5,case,"DC ""East""; Newark, NJ",dc-east,',
    );
    expect(d.jobs.history).toEqual(['pending', 'running', 'complete']);
  });

  it('sorts rows by Event Date then Event ID, dating each event in its own offset', async () => {
    // Prepare: UTC order differs from local-date order, and event ids arrive out of order.
    const l = await ledgerWith([
      mv({ eventId: 'b', type: 'receive', lot: 'S1', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-02T23:30:00-08:00' }), // UTC Mar 3
      mv({ eventId: 'a', type: 'receive', lot: 'S2', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-03T00:30:00+09:00' }), // UTC Mar 2
      mv({ eventId: 'c', type: 'receive', lot: 'S3', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-02T08:00:00Z' }),
      mv({ eventId: 'z', type: 'receive', lot: 'S4', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-01T08:00:00Z' }),
      mv({ eventId: 'out', type: 'receive', lot: 'S5', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-04T01:00:00+14:00' }), // local Mar 4
    ]);
    const d = memoryRunDeps(l);
    const job = pendingJob('X-sort', { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-03' });
    await d.jobs.create(job);
    // Act
    await runExport(d, job.exportId);
    // Assess
    const records = parse(d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '', { columns: true }) as FsmaRow[];
    expect(records.map((r) => [r['Event Date'], r['Event ID']])).toEqual([
      ['2026-03-01', 'z'],
      ['2026-03-02', 'b'],
      ['2026-03-02', 'c'],
      ['2026-03-03', 'a'],
    ]);
  });

  it('reads only the days of a long range that have entries, and still sorts across the gaps', async () => {
    // Prepare: three events spread over a ten-year range, one dated a local day before its UTC day
    const l = await ledgerWith([
      mv({ eventId: 'late', type: 'receive', lot: 'G1', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2029-06-01T08:00:00Z' }),
      mv({ eventId: 'early', type: 'receive', lot: 'G2', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2021-01-05T08:00:00Z' }),
      mv({ eventId: 'eve', type: 'receive', lot: 'G3', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2025-03-01T23:30:00-08:00' }), // UTC Mar 2
    ]);
    const d = memoryRunDeps(l);
    const inner = d.days;
    const read: string[] = [];
    let probed = 0;
    d.days = {
      anyOnDay: (day) => {
        probed++;
        return inner.anyOnDay(day);
      },
      entriesOfDay: (day, f) => {
        read.push(day);
        return inner.entriesOfDay(day, f);
      },
    };
    const job = pendingJob('X-gaps', { format: 'fsma204-csv', from: '2020-01-01', to: '2029-12-31' });
    await d.jobs.create(job);
    // Act
    const done = await runExport(d, job.exportId);
    // Assess
    const records = parse(d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '', { columns: true }) as FsmaRow[];
    expect(records.map((r) => [r['Event Date'], r['Event ID']])).toEqual([
      ['2021-01-05', 'early'],
      ['2025-03-01', 'eve'],
      ['2029-06-01', 'late'],
    ]);
    expect(done?.rowCount).toBe(3);
    expect(read.sort()).toEqual(['2021-01-05', '2025-03-02', '2029-06-01']);
    expect(probed).toBeGreaterThan(3000); // a probe for each UTC day the range touches (one either side of it too)
  });

  it('filters by gtin and lot, keeping a transformation that used the lot, and lists the lots in the manifest', async () => {
    const l = await ledgerWith(life());
    const d = memoryRunDeps(l);
    const job = pendingJob('X-lot', { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01', gtin: GTIN.tomato, lot: 'T1' });
    await d.jobs.create(job);
    await runExport(d, job.exportId);
    const records = parse(d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '', { columns: true }) as FsmaRow[];
    expect(records.map((r) => r['Event ID'])).toEqual(['e11-tomato', 'e12-transform', 'e12-transform']);
    const manifest = d.bucketMem.json<ExportManifest>(job.manifestKey);
    expect(manifest.lots.map((x) => x.lot)).toEqual(['R1', 'T1', 'K1']);
    const t1 = l.ledger.lots.get(`${GTIN.tomato}|T1`);
    expect(manifest.lots.find((x) => x.lot === 'T1')).toEqual({ gtin: GTIN.tomato, lot: 'T1', seq: t1?.seq, hash: t1?.headHash });
    expect(manifest).toMatchObject({ rowCount: 3, requestedBy: 'test', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
