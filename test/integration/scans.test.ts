import { beforeAll, describe, expect, it } from 'vitest';
import { makePostScans } from '../../functions/post-scans.js';
import { lotView } from '../../lib/domain/lots.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';

const GTIN = '09506000134352';
const GS = '\u001d';
let d: ReturnType<typeof depsFor>;
type Report = { accepted: number; duplicates: number; rejected: number; results: { status: string; errors?: { path: string; message: string }[] }[] };
const scan = (scans: unknown[]) => call<Report>(makePostScans(d), 'POST', '/scans', { scans });
const at = '2026-03-01T08:00:00-05:00';

beforeAll(async () => {
  const t = await freshTable('scans');
  d = depsFor(t.doc, t.tableName);
  await upsertProduct(d, GTIN, ProductInput.parse({ description: 'Scanned item', ftl: true }));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
});

describe('POST /scans', () => {
  it('records a raw GS1 DataMatrix scan with FNC1 separators, a bracketed scan and a Digital Link', async () => {
    const r = await scan([
      { eventId: 'sc-1', type: 'receive', site: 'dc-1', occurredAt: at, data: `]d201${GTIN}17261231${GS}10ABC123${GS}3012` },
      { eventId: 'sc-2', type: 'receive', site: 'dc-1', occurredAt: at, data: `(01)${GTIN}(17)261231(10)ABC123` },
      { eventId: 'sc-3', type: 'sell', site: 'dc-1', occurredAt: at, data: `https://id.gs1.org/01/${GTIN}/10/ABC123?17=261231` },
    ]);
    expect(r.body).toMatchObject({ accepted: 3, rejected: 0 });
    expect(await lotView(d, { gtin: GTIN, lot: 'ABC123' })).toMatchObject({ expiry: '2026-12-31', onHand: 12 });
  });

  it('records a serialised scan as one unit of that serial, and resolves day 00 to the month end', async () => {
    const r = await scan([{ eventId: 'sc-4', type: 'receive', site: 'dc-1', occurredAt: at, data: `(01)${GTIN}(17)280200(10)SER1(21)SN-0001` }]);
    expect(r.body.accepted).toBe(1);
    expect(await lotView(d, { gtin: GTIN, lot: 'SER1' })).toMatchObject({ expiry: '2028-02-29', serials: { inStock: 1, total: 1 } });
  });

  it('rejects a bad check digit, a malformed AI or a scan without a lot, naming scans.N.data, and keeps the others', async () => {
    const r = await scan([
      { eventId: 'sc-5', type: 'receive', site: 'dc-1', occurredAt: at, data: '(01)09506000134353(10)X' },
      { eventId: 'sc-6', type: 'receive', site: 'dc-1', occurredAt: at, data: `(01)${GTIN}(99` },
      { eventId: 'sc-7', type: 'receive', site: 'dc-1', occurredAt: at, data: `(01)${GTIN}` },
      { eventId: 'sc-8', type: 'receive', site: 'dc-1', occurredAt: at, data: `(01)${GTIN}(10)OK1` },
      { eventId: 'sc-9', type: 'receive', site: 'dc-1', data: `(01)${GTIN}(10)OK1` },
    ]);
    expect(r.body.results.map((x) => x.status)).toEqual(['rejected', 'rejected', 'rejected', 'accepted', 'rejected']);
    expect(r.body.results[0]?.errors?.[0]).toMatchObject({ path: 'scans.0.data', message: expect.stringMatching(/check digit/) });
    expect(r.body.results[2]?.errors?.[0]?.message).toBe('the barcode carries no lot (10)');
    expect(r.body.results[4]?.errors?.[0]?.path).toBe('scans.4.occurredAt');
  });

  it('takes the quantity from (37) beside (01), as the contract says, and rejects a (30) and (37) that disagree naming scans.N.data', async () => {
    const r = await scan([
      { eventId: 'sc-37a', type: 'receive', site: 'dc-1', occurredAt: at, data: `(01)${GTIN}(17)261231(10)C37(37)4` },
      { eventId: 'sc-37b', type: 'receive', site: 'dc-1', occurredAt: at, data: `]C101${GTIN}1726123110C37${GS}375` },
      { eventId: 'sc-37c', type: 'receive', site: 'dc-1', occurredAt: at, data: `(01)${GTIN}(30)3(37)4(10)C37` },
    ]);
    expect(r.body.results.map((x) => x.status)).toEqual(['accepted', 'accepted', 'rejected']);
    expect(r.body.results[2]?.errors?.[0]).toMatchObject({
      path: 'scans.2.data',
      message: expect.stringMatching(/\(30\) count 3 and AI \(37\) count 4 disagree/),
    });
    expect(await lotView(d, { gtin: GTIN, lot: 'C37' })).toMatchObject({ onHand: 9 });
  });
});
