import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.js';
import { useDeps } from '../../functions/deps.js';
import { createApiServer } from '../../infra/local/http-server.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { freshTable } from '../support/aws.js';
import { decodePdf, decodePng } from '../support/barcodes.js';
import { depsFor } from '../support/deps.js';
import { GTIN, SITES } from '../support/fixtures.js';

// No handler module is imported before useDeps: the local server loads each one over these Deps, as `npm start` does.
const server = createApiServer();
let url = '';
const dir = mkdtempSync(join(tmpdir(), 'lotledger-label-'));
const run = (...args: string[]) => buildProgram().parseAsync(['node', 'lotledger', '--api', url, ...args]);

beforeAll(async () => {
  const t = await freshTable('label-cli');
  const d = depsFor(t.doc, t.tableName);
  useDeps(d);
  await upsertProduct(d, GTIN.romaine, ProductInput.parse({ description: 'Romaine hearts 3ct', ftl: true }));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  const r = await recordMovements(d, [
    {
      eventId: 'cli-1',
      type: 'receive',
      occurredAt: '2026-03-01T08:00:00Z',
      gtin: GTIN.romaine,
      lot: 'R-26',
      quantity: 48,
      site: 'dc-1',
      counterparty: 'farm-1',
      expiry: '2026-03-20',
      productionDate: '2026-02-27',
    },
    // a unit label is printed for a serial the ledger knows
    {
      eventId: 'cli-2',
      type: 'receive',
      occurredAt: '2026-03-01T08:00:00Z',
      gtin: GTIN.romaine,
      lot: 'S-1',
      quantity: 1,
      serials: ['SN-1'],
      site: 'dc-1',
      counterparty: 'farm-1',
    },
  ]);
  expect(r.accepted).toBe(2);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('lotledger label', () => {
  it('writes a PDF case label (the format from the file name) whose symbol reads back as the lot, its dates and count', async () => {
    const out = join(dir, 'label.pdf');
    await run('label', 'lot', GTIN.romaine, 'R-26', '-o', out, '-q', '6');
    const pdf = readFileSync(out);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const [symbol] = await decodePdf(pdf);
    expect(symbol?.scannerData).toBe(`]C101${GTIN.romaine}1726032011260227376\u001d10R-26`);
  });

  it('writes no file for a lot or serial the ledger has never recorded: the API answers 404', async () => {
    const out = join(dir, 'never.svg');
    await expect(run('label', 'lot', GTIN.romaine, 'NEVER-1', '-o', out)).rejects.toMatchObject({
      status: 404,
      body: { error: { code: 'lot_not_found' } },
    });
    await expect(run('label', 'serial', GTIN.romaine, 'NEVER-SN', '-o', out)).rejects.toMatchObject({
      status: 404,
      body: { error: { code: 'serial_not_found' } },
    });
    expect(existsSync(out)).toBe(false);
  });

  it('writes a PNG unit label as a GS1 DataMatrix', async () => {
    const out = join(dir, 'unit.png');
    await run('label', 'serial', GTIN.romaine, 'SN-1', '-o', out, '--symbology', 'datamatrix');
    expect((await decodePng(readFileSync(out))).map((x) => x.scannerData)).toEqual([`]d201${GTIN.romaine}21SN-1`]);
  });
});
