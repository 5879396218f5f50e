import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { need } from '../../functions/deps.js';
import { type FileReport, ingestFile } from '../../lib/domain/ingest-file.js';
import { lotView } from '../../lib/domain/lots.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { freshBucket, freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, PRODUCTS, SITES } from '../support/fixtures.js';

let d: ReturnType<typeof ingestDeps>;
const ingestDeps = (t: Awaited<ReturnType<typeof freshTable>>, b: Awaited<ReturnType<typeof freshBucket>>) =>
  need(depsFor(t.doc, t.tableName, undefined, { s3: b.s3, env: { INGEST_BUCKET: b.bucket } }), 'ingestFiles');
let s3: Awaited<ReturnType<typeof freshBucket>>;

beforeAll(async () => {
  const t = await freshTable('ingest');
  s3 = await freshBucket('ingest');
  d = ingestDeps(t, s3);
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
});

const put = (key: string, body: string) => s3.s3.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));

const CSV = `eventId,type,occurredAt,gtin,lot,quantity,site,counterparty,expiry,reference.type,reference.number,serials
f-1,receive,2026-03-01T08:00:00-05:00,${GTIN.romaine},B1,12,dc-1,farm-1,2026-03-20,BOL,BOL-77,
f-2,transfer,2026-03-01T09:00:00-05:00,${GTIN.romaine},B1,4,dc-1,store-1,,,,
f-3,ship,2026-03-01T10:00:00-05:00,${GTIN.romaine},B1,99,dc-1,dist-1,,,,
f-4,receive,2026-03-01T08:00:00-05:00,${GTIN.phone},PH1,2,dc-1,farm-1,,,,X1|X2
`;

describe('batch files in the ingest bucket', () => {
  it('ingests a CSV file and writes a per-record report beside it, naming the line of each rejection', async () => {
    await put('incoming/day1.csv', CSV);
    const report = (await ingestFile(d, 'incoming/day1.csv')) as FileReport;
    expect(report).toMatchObject({ records: 4, accepted: 3, duplicates: 0, rejected: 1 });
    expect(report.results[2]).toMatchObject({ line: 4, status: 'rejected', code: 'insufficient_stock', errors: [{ path: 'records.2.quantity' }] });
    const stored = JSON.parse((await d.ingestFiles.read('results/day1.csv.json'))?.text ?? '{}') as FileReport;
    expect(stored.accepted).toBe(3);
    expect((await lotView(d, { gtin: GTIN.romaine, lot: 'B1' })).onHand).toBe(12);
    expect((await lotView(d, { gtin: GTIN.phone, lot: 'PH1' })).serials).toEqual({ inStock: 2, total: 2 });
  });

  it('changes nothing when the same file is dropped twice', async () => {
    expect(await ingestFile(d, 'incoming/day1.csv')).toBe('skipped');
    await put('incoming/day1-again.csv', CSV);
    const report = (await ingestFile(d, 'incoming/day1-again.csv')) as FileReport;
    expect(report).toMatchObject({ accepted: 0, duplicates: 3, rejected: 1 });
    expect((await lotView(d, { gtin: GTIN.romaine, lot: 'B1' })).seq).toBe(2);
  });

  it('ingests NDJSON, keeping a malformed line as a rejected record without losing the others', async () => {
    const lines = [
      JSON.stringify({
        eventId: 'n-1',
        type: 'receive',
        occurredAt: '2026-03-02T08:00:00Z',
        gtin: GTIN.tomato,
        lot: 'N1',
        quantity: 3,
        site: 'dc-1',
      }),
      '{"eventId": "n-2", "type": ',
      JSON.stringify({ eventId: 'n-3', type: 'sell', occurredAt: '2026-03-02T09:00:00Z', gtin: GTIN.tomato, lot: 'N1', quantity: 1, site: 'dc-1' }),
    ];
    await put('incoming/day2.ndjson', lines.join('\n'));
    const report = (await ingestFile(d, 'incoming/day2.ndjson')) as FileReport;
    expect(report).toMatchObject({ records: 3, accepted: 2, rejected: 1 });
    expect(report.results[1]).toMatchObject({ line: 2, status: 'rejected', code: 'validation_failed' });
    expect(report.results[1]?.errors).toEqual([{ path: 'records.1', message: expect.stringContaining('line 2 is not valid JSON') }]);
  });

  it('reports a missing object rather than failing', async () => {
    expect(await ingestFile(d, 'incoming/nope.csv')).toBe('missing');
  });
});
