import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { ExportManifest } from '../../lib/domain/exports.js';
import { guardCell } from '../../lib/domain/formula-guard.js';
import { KDES, kdeGaps } from '../../lib/domain/fsma-kdes.js';
import { ALL_COLUMNS, CSV_COLUMNS, CTE_COLUMNS, CTES, type Cte, type FsmaRow, fsmaRows, productDescription } from '../../lib/domain/fsma204.js';
import type { Movement } from '../../lib/domain/movement.js';
import { ExportLookup } from '../../lib/exports/export-lookup.js';
import { BOM } from '../../lib/exports/fsma-writers.js';
import { runExport } from '../../lib/exports/run-export.js';
import { ledgerWith, life, memoryRunDeps, pendingJob } from '../support/exports.js';
import { GTIN, mv } from '../support/fixtures.js';

async function rowsOf(movements: Movement[]) {
  const l = await ledgerWith(movements);
  const lookup = new ExportLookup({
    master: l.master,
    heads: async (ks) => ks.flatMap((k) => l.ledger.lots.get(`${k.gtin}|${k.lot}`) ?? []),
    firstEntries: async (k) => l.ledger.entryLog.get(`${k.gtin}|${k.lot}`) ?? [],
  });
  await lookup.prepare(l.entries);
  const byEvent = new Map<string, FsmaRow[]>();
  for (const e of l.entries) for (const r of fsmaRows(e, lookup)) byEvent.set(r.eventId, [...(byEvent.get(r.eventId) ?? []), r]);
  return byEvent;
}

/** The FSMA204.md v2 column lists, written out once more by hand: the layout FDA is given must not drift. */
const R = (role: string) => ['Business Name', 'Phone', 'Street', 'City', 'State', 'ZIP', 'Country', 'Coordinates', 'ID'].map((p) => `${role} ${p}`);
const C = ['Event ID', 'Event Time', 'Traceability Lot Code', 'GTIN'];
const REF = ['Reference Document Type', 'Reference Document Number'];
const TLCREF = ['TLC Source Reference Type', 'TLC Source Reference'];
const FROZEN_HEADERS: Record<Cte, string[]> = {
  Harvesting: [
    ...C,
    'Commodity',
    'Variety',
    'Quantity',
    'Unit of Measure',
    ...R('Harvest Farm'),
    'Field or Growing Area Name',
    'Container Name',
    'Harvest Date',
    ...R('Immediate Subsequent Recipient'),
    ...REF,
  ],
  Cooling: [
    ...C,
    'Commodity',
    'Variety',
    'Quantity',
    'Unit of Measure',
    ...R('Cooling Location'),
    'Cooling Date',
    ...R('Harvest Farm'),
    ...R('Immediate Subsequent Recipient'),
    ...REF,
  ],
  'Initial Packing': [
    ...C,
    'Product Description',
    'Quantity',
    'Unit of Measure',
    ...R('Packing Location (TLC Source)'),
    ...TLCREF,
    'Packing Date',
    'Commodity Received',
    'Variety Received',
    'Quantity Received',
    'Unit of Measure Received',
    'Date Received',
    ...R('Harvest Farm'),
    'Field or Growing Area Name',
    'Container Name',
    'Harvester Business Name',
    'Harvester Phone',
    'Harvest Date',
    ...R('Cooling Location'),
    'Cooling Date',
    ...R('Received From'),
    ...REF,
  ],
  'First Land-Based Receiving': [
    ...C,
    'Product Description',
    'Quantity',
    'Unit of Measure',
    'Harvest Date Begin',
    'Harvest Date End',
    'Harvest Area',
    ...R('Receiving Location (TLC Source)'),
    ...TLCREF,
    'Date Landed',
    ...REF,
  ],
  Shipping: [
    ...C,
    'Quantity',
    'Unit of Measure',
    'Product Description',
    ...R('Immediate Subsequent Recipient (Ship-To)'),
    ...R('Ship-From Location'),
    'Ship Date',
    ...R('TLC Source'),
    ...TLCREF,
    ...REF,
  ],
  Receiving: [
    ...C,
    'Quantity',
    'Unit of Measure',
    'Product Description',
    ...R('Immediate Previous Source (Ship-From)'),
    ...R('Receiving Location'),
    'Receive Date',
    ...R('TLC Source'),
    ...TLCREF,
    ...REF,
  ],
  Transformation: [
    ...C,
    'Input Traceability Lot Code',
    'Input GTIN',
    'Input Product Description',
    'Input Quantity Used',
    'Input Unit of Measure',
    'New Traceability Lot Code',
    'New GTIN',
    'New Product Description',
    'New Quantity',
    'New Unit of Measure',
    ...R('Transformation Location (TLC Source)'),
    ...TLCREF,
    'Date Transformation Completed',
    ...REF,
  ],
};

describe('FSMA 204 v2 layout', () => {
  it.each(CTES)('freezes the %s columns exactly as FSMA204.md v2 lists them', (cte) => {
    expect([...CTE_COLUMNS[cte]]).toEqual(FROZEN_HEADERS[cte]);
  });

  it('lays the CSV out as Critical Tracking Event, then the union of the tab columns in first-appearance order', () => {
    const union: string[] = [];
    for (const cte of CTES) for (const c of FROZEN_HEADERS[cte]) if (!union.includes(c)) union.push(c);
    expect([...CSV_COLUMNS]).toEqual(['Critical Tracking Event', ...union]);
    expect(ALL_COLUMNS.at(-1)).toBe('Date Transformation Completed');
  });

  /**
   * Every KDE of 21 CFR 1.1325-1.1350 and the column(s) that carry it, from the rule's text. A location description
   * (§1.1310) is the nine columns of its role.
   */
  const CFR: [Cte, string, string[]][] = [
    ['Harvesting', '§1.1325(a)(1)(i)', R('Immediate Subsequent Recipient')],
    ['Harvesting', '§1.1325(a)(1)(ii)', ['Commodity', 'Variety']],
    ['Harvesting', '§1.1325(a)(1)(iii)', ['Quantity', 'Unit of Measure']],
    ['Harvesting', '§1.1325(a)(1)(iv)', R('Harvest Farm')],
    ['Harvesting', '§1.1325(a)(1)(v)', ['Field or Growing Area Name', 'Container Name']],
    ['Harvesting', '§1.1325(a)(1)(vi)', ['Harvest Date']],
    ['Harvesting', '§1.1325(a)(1)(vii)', REF],
    ['Cooling', '§1.1325(b)(1)(i)', ['Commodity', 'Variety']],
    ['Cooling', '§1.1325(b)(1)(ii)', ['Quantity', 'Unit of Measure']],
    ['Cooling', '§1.1325(b)(1)(iii)', R('Cooling Location')],
    ['Cooling', '§1.1325(b)(1)(iv)', ['Cooling Date']],
    ['Cooling', '§1.1325(b)(1)(v)', R('Harvest Farm')],
    ['Cooling', '§1.1325(b)(1)(vi)', R('Immediate Subsequent Recipient')],
    ['Cooling', '§1.1325(b)(1)(vii)', REF],
    ['Initial Packing', '§1.1330(a)(1)', ['Commodity Received', 'Variety Received']],
    ['Initial Packing', '§1.1330(a)(2)', ['Date Received']],
    ['Initial Packing', '§1.1330(a)(3)', ['Quantity Received', 'Unit of Measure Received']],
    ['Initial Packing', '§1.1330(a)(4)', R('Harvest Farm')],
    ['Initial Packing', '§1.1330(a)(5)', ['Field or Growing Area Name']],
    ['Initial Packing', '§1.1330(a)(6)', ['Container Name']],
    ['Initial Packing', '§1.1330(a)(7)', ['Harvester Business Name', 'Harvester Phone']],
    ['Initial Packing', '§1.1330(a)(8)', ['Harvest Date']],
    ['Initial Packing', '§1.1330(a)(9)', R('Cooling Location')],
    ['Initial Packing', '§1.1330(a)(10)', ['Cooling Date']],
    ['Initial Packing', '§1.1330(a)(11)', ['Traceability Lot Code']],
    ['Initial Packing', '§1.1330(a)(12)', ['Product Description']],
    ['Initial Packing', '§1.1330(a)(13)', ['Quantity', 'Unit of Measure']],
    ['Initial Packing', '§1.1330(a)(14)', [...R('Packing Location (TLC Source)'), ...TLCREF]],
    ['Initial Packing', '§1.1330(a)(15)', ['Packing Date']],
    ['Initial Packing', '§1.1330(a)(16)', REF],
    ['Initial Packing', '§1.1330(c)', R('Received From')],
    ['First Land-Based Receiving', '§1.1335(a)', ['Traceability Lot Code']],
    ['First Land-Based Receiving', '§1.1335(b)', ['Product Description']],
    ['First Land-Based Receiving', '§1.1335(c)', ['Quantity', 'Unit of Measure']],
    ['First Land-Based Receiving', '§1.1335(d)', ['Harvest Date Begin', 'Harvest Date End']],
    ['First Land-Based Receiving', '§1.1335(e)', ['Harvest Area']],
    ['First Land-Based Receiving', '§1.1335(f)', [...R('Receiving Location (TLC Source)'), ...TLCREF]],
    ['First Land-Based Receiving', '§1.1335(g)', ['Date Landed']],
    ['First Land-Based Receiving', '§1.1335(h)', REF],
    ['Shipping', '§1.1340(a)(1)', ['Traceability Lot Code']],
    ['Shipping', '§1.1340(a)(2)', ['Quantity', 'Unit of Measure']],
    ['Shipping', '§1.1340(a)(3)', ['Product Description']],
    ['Shipping', '§1.1340(a)(4)', R('Immediate Subsequent Recipient (Ship-To)')],
    ['Shipping', '§1.1340(a)(5)', R('Ship-From Location')],
    ['Shipping', '§1.1340(a)(6)', ['Ship Date']],
    ['Shipping', '§1.1340(a)(7)', [...R('TLC Source'), ...TLCREF]],
    ['Shipping', '§1.1340(a)(8)', REF],
    ['Receiving', '§1.1345(a)(1)', ['Traceability Lot Code']],
    ['Receiving', '§1.1345(a)(2)', ['Quantity', 'Unit of Measure']],
    ['Receiving', '§1.1345(a)(3)', ['Product Description']],
    ['Receiving', '§1.1345(a)(4)', R('Immediate Previous Source (Ship-From)')],
    ['Receiving', '§1.1345(a)(5)', R('Receiving Location')],
    ['Receiving', '§1.1345(a)(6)', ['Receive Date']],
    ['Receiving', '§1.1345(a)(7)', [...R('TLC Source'), ...TLCREF]],
    ['Receiving', '§1.1345(a)(8)', REF],
    ['Transformation', '§1.1350(a)(1)(i)', ['Input Traceability Lot Code']],
    ['Transformation', '§1.1350(a)(1)(ii)', ['Input Product Description']],
    ['Transformation', '§1.1350(a)(1)(iii)', ['Input Quantity Used', 'Input Unit of Measure']],
    ['Transformation', '§1.1350(a)(2)(i)', ['New Traceability Lot Code']],
    ['Transformation', '§1.1350(a)(2)(ii)', [...R('Transformation Location (TLC Source)'), ...TLCREF]],
    ['Transformation', '§1.1350(a)(2)(iii)', ['Date Transformation Completed']],
    ['Transformation', '§1.1350(a)(2)(iv)', ['New Product Description']],
    ['Transformation', '§1.1350(a)(2)(v)', ['New Quantity', 'New Unit of Measure']],
    ['Transformation', '§1.1350(a)(2)(vi)', REF],
  ];

  it.each(CFR)('carries %s %s in its tab, and the KDE table names that paragraph', (cte, cfr, columns) => {
    const tab: readonly string[] = CTE_COLUMNS[cte];
    for (const c of columns) expect(tab, `${cfr}: ${c}`).toContain(c);
    expect(KDES.some((k) => k.cte === cte && k.cfr === cfr)).toBe(true);
  });

  it('knows no KDE paragraph the CFR table above lacks', () => {
    const listed = new Set(CFR.map(([cte, cfr]) => `${cte} ${cfr}`));
    expect(KDES.filter((k) => !listed.has(`${k.cte} ${k.cfr}`))).toEqual([]);
  });
});

describe('FSMA 204 mapping', () => {
  it('maps each movement type to its critical tracking events and leaves the exempt ones out', async () => {
    // Prepare / Act
    const rows = await rowsOf(life());
    // Assess
    const ctes = Object.fromEntries([...rows].map(([id, rs]) => [id, rs.map((r) => r.cte)]));
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

  it('writes a transfer as Shipping at the site and Receiving at the destination at the receipt time', async () => {
    const rows = await rowsOf([
      mv({ eventId: 'in', type: 'receive', lot: 'X1', quantity: 5, counterparty: 'farm-1', occurredAt: '2026-03-01T08:00:00-05:00' }),
      mv({
        eventId: 'tr',
        type: 'transfer',
        lot: 'X1',
        quantity: 5,
        counterparty: 'store-1',
        occurredAt: '2026-03-01T22:00:00-05:00',
        receivedAt: '2026-03-02T06:30:00-05:00',
      }),
    ]);
    const [ship, receive] = rows.get('tr') ?? [];
    expect(ship?.cells).toMatchObject({
      'Ship-From Location ID': 'dc-1',
      'Immediate Subsequent Recipient (Ship-To) ID': 'store-1',
      'Ship Date': '2026-03-01',
    });
    expect(receive?.cells).toMatchObject({
      'Event Time': '2026-03-02T06:30:00-05:00',
      'Immediate Previous Source (Ship-From) ID': 'dc-1',
      'Receiving Location ID': 'store-1',
      'Receive Date': '2026-03-02',
    });
  });

  it('gives a harvested lot its farm as TLC source, and names GLN or FFRN as the TLC source reference', async () => {
    const rows = await rowsOf(life());
    expect(rows.get('e03-pack')?.[0]?.cells).toMatchObject({
      'Packing Location (TLC Source) ID': '0614141000005',
      'TLC Source Reference Type': 'GLN',
      'TLC Source Reference': '0614141000005',
    });
    const h = await rowsOf([
      mv({ eventId: 'h', type: 'harvest', lot: 'HX', quantity: 5, site: 'dc-1', occurredAt: '2026-03-01T06:00:00-05:00' }),
      mv({ eventId: 's', type: 'ship', lot: 'HX', quantity: 5, site: 'dc-1', counterparty: 'dist-1', occurredAt: '2026-03-01T09:00:00-05:00' }),
    ]);
    expect(h.get('s')?.[0]?.cells['TLC Source ID']).toBe('dc-1');
  });

  it('lists several reference documents in order, joined by "; ", and the v1 single reference still works', async () => {
    const rows = await rowsOf(life());
    expect(rows.get('e05-receive')?.[0]?.cells).toMatchObject({ 'Reference Document Type': 'BOL', 'Reference Document Number': '=SUM(A1)' });
    const many = await rowsOf([
      mv({
        eventId: 'm',
        type: 'receive',
        lot: 'M1',
        counterparty: 'farm-1',
        references: [
          { type: 'BOL', number: 'B1' },
          { type: 'PO', number: 'P1' },
        ],
      }),
    ]);
    expect(many.get('m')?.[0]?.cells).toMatchObject({ 'Reference Document Type': 'BOL; PO', 'Reference Document Number': 'B1; P1' });
  });

  it('names brand, commodity, variety, pack size and style in the product description when the description lacks them', () => {
    expect(productDescription({ description: 'Romaine hearts', brand: 'Sunny', commodity: 'romaine', packSize: '24 ct', packStyle: 'carton' })).toBe(
      'Romaine hearts; Sunny; 24 ct; carton',
    );
    expect(productDescription({ description: 'Plain' })).toBe('Plain');
  });

  it('finds the KDE gaps of a row: a shipping with no reference, a site with no phone or street', async () => {
    const rows = await rowsOf([
      mv({ eventId: 'r', type: 'receive', lot: 'G1', counterparty: 'farm-1', occurredAt: '2026-03-01T08:00:00-05:00' }),
      mv({ eventId: 's', type: 'ship', lot: 'G1', quantity: 2, counterparty: 'dist-1', occurredAt: '2026-03-01T09:00:00-05:00' }),
    ]);
    const missing = kdeGaps(rows.get('s')?.[0] as FsmaRow).map((g) => g.missing);
    expect(missing).toEqual([
      'Immediate Subsequent Recipient (Ship-To) Phone',
      'Immediate Subsequent Recipient (Ship-To) Street or Coordinates',
      'Ship-From Location Phone',
      'Ship-From Location Street or Coordinates',
      'TLC Source ID or TLC Source Reference',
      'Reference Document Type',
      'Reference Document Number',
    ]);
  });

  it("prefixes cells starting with = + - @ with ' and leaves others alone", () => {
    expect(['=1', '+1', '-1', '@x', 'a=b', '', "'x"].map(guardCell)).toEqual(["'=1", "'+1", "'-1", "'@x", 'a=b', '', "'x"]);
  });
});

type CsvRecord = Record<string, string>;

describe('fsma204-csv export', () => {
  it('writes a BOM, one header row, RFC 4180 quoting, CRLF line ends; free text guarded, identifiers never', async () => {
    // Prepare
    const l = await ledgerWith(life());
    const d = memoryRunDeps(l);
    const job = pendingJob('X-csv', { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' });
    await d.jobs.create(job);
    // Act
    const done = await runExport(d, job.exportId);
    // Assess
    const text = d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '';
    expect(text.startsWith(`${BOM}${CSV_COLUMNS.join(',')}\r\n`)).toBe(true);
    const records = parse(text, { columns: true, bom: true }) as CsvRecord[];
    expect(records).toHaveLength(12);
    expect(done).toMatchObject({ status: 'complete', rowCount: 12 });
    expect(records.find((r) => r['Event ID'] === 'e05-receive')?.['Reference Document Number']).toBe('=SUM(A1)');
    expect(records.find((r) => r['Event ID'] === 'e04-flr')?.['Receiving Location (TLC Source) Business Name']).toBe('DC "East"');
    expect(text).toContain('"DC ""East"""');
    expect(text.split('\r\n').filter((line) => line === '')).toEqual(['']); // only after the last row
    expect(d.jobs.history).toEqual(['pending', 'running', 'complete']);
  });

  it('guards a free-text cell that starts like a formula', async () => {
    const l = await ledgerWith([mv({ eventId: 'g', type: 'receive', lot: 'Q1', counterparty: 'farm-1' })]);
    const farm = await l.master.getSite('farm-1');
    if (!farm) throw new Error('fixture site farm-1 is missing');
    await l.master.putSite({ ...farm, name: '=HYPERLINK("x")' });
    const d = memoryRunDeps(l);
    const job = pendingJob('X-guard', { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' });
    await d.jobs.create(job);
    await runExport(d, job.exportId);
    const [rec] = parse(d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '', { columns: true, bom: true }) as CsvRecord[];
    expect(rec?.['Immediate Previous Source (Ship-From) Business Name']).toBe('\'=HYPERLINK("x")');
    expect(rec?.['Traceability Lot Code']).toBe('Q1');
  });

  it('sorts rows by Event Time (the instant, whatever its offset) then Event ID', async () => {
    // Prepare: UTC order differs from local-clock order, and event ids arrive out of order.
    const l = await ledgerWith([
      mv({ eventId: 'b', type: 'receive', lot: 'S1', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-02T23:30:00-08:00' }), // 03-03T07:30Z
      mv({ eventId: 'a', type: 'receive', lot: 'S2', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-03T00:30:00+09:00' }), // 03-02T15:30Z
      mv({ eventId: 'c', type: 'receive', lot: 'S3', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-02T08:00:00Z' }),
      mv({ eventId: 'd', type: 'receive', lot: 'S6', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-02T08:00:00Z' }),
      mv({ eventId: 'z', type: 'receive', lot: 'S4', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-01T08:00:00Z' }),
      mv({ eventId: 'out', type: 'receive', lot: 'S5', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2026-03-04T01:00:00+14:00' }), // local Mar 4
    ]);
    const d = memoryRunDeps(l);
    const job = pendingJob('X-sort', { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-03' });
    await d.jobs.create(job);
    // Act
    await runExport(d, job.exportId);
    // Assess
    const records = parse(d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '', { columns: true, bom: true }) as CsvRecord[];
    expect(records.map((r) => r['Event ID'])).toEqual(['z', 'c', 'd', 'a', 'b']);
  });

  it('reads only the days of a long range that have entries, and still sorts across the gaps', async () => {
    const l = await ledgerWith([
      mv({ eventId: 'late', type: 'receive', lot: 'G1', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2029-06-01T08:00:00Z' }),
      mv({ eventId: 'early', type: 'receive', lot: 'G2', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2021-01-05T08:00:00Z' }),
      mv({ eventId: 'eve', type: 'receive', lot: 'G3', site: 'dc-1', counterparty: 'farm-1', occurredAt: '2025-03-01T23:30:00-08:00' }),
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
    const done = await runExport(d, job.exportId);
    const records = parse(d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '', { columns: true, bom: true }) as CsvRecord[];
    expect(records.map((r) => r['Event ID'])).toEqual(['early', 'eve', 'late']);
    expect(done?.rowCount).toBe(3);
    expect(read.sort()).toEqual(['2021-01-05', '2025-03-02', '2029-06-01']);
    expect(probed).toBeGreaterThan(3000);
  });

  it('filters by gtin and lot, keeping a transformation that used the lot, and lists the lots in the manifest', async () => {
    const l = await ledgerWith(life());
    const d = memoryRunDeps(l);
    const job = pendingJob('X-lot', { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01', gtin: GTIN.tomato, lot: 'T1' });
    await d.jobs.create(job);
    await runExport(d, job.exportId);
    const records = parse(d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '', { columns: true, bom: true }) as CsvRecord[];
    expect(records.map((r) => r['Event ID'])).toEqual(['e11-tomato', 'e12-transform', 'e12-transform']);
    const manifest = d.bucketMem.json<ExportManifest>(job.manifestKey);
    expect(manifest.lots.map((x) => x.lot)).toEqual(['R1', 'T1', 'K1']);
    const t1 = l.ledger.lots.get(`${GTIN.tomato}|T1`);
    expect(manifest.lots.find((x) => x.lot === 'T1')).toEqual({ gtin: GTIN.tomato, lot: 'T1', seq: t1?.seq, hash: t1?.headHash });
    expect(manifest).toMatchObject({
      rowCount: 3,
      requestedBy: 'test',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      kdeGaps: expect.any(Number),
    });
  });

  it('takes several GTINs and several lots in one request', async () => {
    const l = await ledgerWith(life());
    const d = memoryRunDeps(l);
    const job = pendingJob('X-many', {
      format: 'fsma204-csv',
      from: '2026-03-01',
      to: '2026-03-01',
      gtins: [GTIN.tomato],
      lots: [{ gtin: GTIN.romaine, lot: 'H1' }],
    });
    await d.jobs.create(job);
    await runExport(d, job.exportId);
    const records = parse(d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '', { columns: true, bom: true }) as CsvRecord[];
    expect(records.map((r) => r['Event ID'])).toEqual(['e01-harvest', 'e02-cool', 'e04-flr', 'e11-tomato', 'e12-transform', 'e12-transform']);
  });
});
