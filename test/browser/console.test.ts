/// <reference lib="dom" />
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../infra/local/demo.js';
import { type Browser, CHROMIUM, describeViolations, launchBrowser, seriousViolations } from '../support/browser.js';
import { type LocalProcess, startLocal, stopLocal } from '../support/local-process.js';

/**
 * The console in a real browser (Debian's Chromium through playwright-core) against `npm start -- --demo`: one demo
 * stack and one browser for the whole file. Every page visited is checked with axe-core (no serious or critical
 * violation) and saved as a screenshot under docs/screenshots/run/.
 */
const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots', 'run');
const ROMAINE = DEMO.gtin.romaine;

let local: LocalProcess;
let browser: Browser;
let dataDir: string;
let downloads: string;

const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const r = await fetch(`${local.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: (await r.json()) as T };
};

/** Whether the API of this build has a route (feature branches bring some of the contract's routes later). */
const hasRoute = async (method: string, path: string) => {
  const r = await fetch(`${local.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(method === 'POST' ? { body: '{}' } : {}),
  });
  const b = (await r.json().catch(() => ({}))) as { error?: { code?: string } };
  return !(r.status === 404 && b.error?.code === 'route_not_found');
};

async function check(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const v = await seriousViolations(page);
  expect(v, `axe on ${name}:\n${describeViolations(v)}`).toEqual([]);
}

/** The text of a Cloudscape key-value pair (its label, then its value). */
const pairText = (page: Page, label: string) => page.locator(`[class*="key-value-pairs"] :text-is("${label}") >> xpath=../..`).first();

// Each scenario waits on a real browser and the demo stack: minutes, not seconds, on two loaded cores.
describe('console in Chromium', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    // Never skipped: .ci/run installs Debian's chromium; a developer without it is told how to get it.
    if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'lotledger-console-'));
    downloads = mkdtempSync(join(tmpdir(), 'lotledger-downloads-'));
    // The console is built by npm start when missing or stale: allow for a first build on a loaded machine.
    [local, browser] = await Promise.all([startLocal(dataDir, { args: ['--demo'], timeoutMs: 240_000 }), launchBrowser({ downloads })]);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (local) await stopLocal(local.child);
    // beforeAll may have stopped before making them (no Chromium): its own error is the one to read
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (downloads) rmSync(downloads, { recursive: true, force: true });
  });

  it('npm start prints the console URL and serves it beside the API', async () => {
    expect(local.output()).toMatch(/Console\s+http:\/\/127\.0\.0\.1:\d+\//);
    const page = await browser.context.newPage();
    const r = await page.goto(`${local.url}/`);
    expect(r?.headers()['content-type']).toContain('text/html');
    // the API still answers its own paths, including an unknown one, with JSON
    expect((await api('GET', '/health')).body).toMatchObject({ ok: true });
    expect((await api('GET', '/no/such/route')).body).toMatchObject({ error: { code: 'route_not_found' } });
    await page.close();
  });

  it('finds a lot by a scanned string, shows it verified, and opens its trace graph', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/`);
    await page.getByRole('heading', { name: 'Lot search' }).waitFor();
    await check(page, 'search');
    // A keyboard-wedge scanner types the GS1-128 element string and Enter.
    const box = page.getByLabel('Barcode or GTIN', { exact: true });
    await box.focus();
    await page.keyboard.type(`]C101${ROMAINE}10RMN-001`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/console/lots/${ROMAINE}/RMN-001`);
    await page.getByRole('heading', { name: 'Lot RMN-001' }).waitFor();
    await page.getByText(/Verified: \d+ entries/).waitFor();
    await page.getByRole('columnheader', { name: 'Seq' }).first().waitFor();
    if (await hasRoute('GET', `/labels/lots/${ROMAINE}/RMN-001?format=svg`)) {
      // The case label the API renders (branch labels), ready to print.
      await page.getByRole('img', { name: 'Case label of lot RMN-001' }).waitFor();
      await page.getByRole('button', { name: 'Print label' }).waitFor();
    } else await page.getByText('Label printing is not available on this server yet').waitFor();
    await check(page, 'lot');

    await page.getByRole('button', { name: 'Trace forward' }).click();
    await page.waitForURL('**/trace?direction=forward');
    await page.locator('[data-graph-ready="true"]').waitFor({ timeout: 30_000 });
    const kit = page.locator('.react-flow__node', { hasText: /^KIT-/ }).first();
    await kit.waitFor();
    // Edges carry quantities.
    expect(await page.locator('.react-flow__edge-text').first().textContent()).toMatch(/^\d+(\.\d+)? (case|ea)$/);
    await check(page, 'trace');
    const kitLot = ((await kit.locator('strong').textContent()) ?? '').trim();
    await kit.click();
    await page.waitForURL(`**/console/lots/${DEMO.gtin.saladKit}/${kitLot}`);

    // Backward from the kit: the romaine and tomato lots it was made from.
    await page.goto(`${local.url}/console/lots/${DEMO.gtin.saladKit}/${kitLot}/trace?direction=backward`);
    await page.locator('[data-graph-ready="true"]').waitFor({ timeout: 30_000 });
    await page.locator('.react-flow__node', { hasText: /^RMN-/ }).first().waitFor();
    await page.close();
  });

  it('says in words why a barcode cannot be read', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/`);
    const box = page.getByLabel('Barcode or GTIN', { exact: true });
    await box.fill('(01)00614141000013(10)X');
    await box.press('Enter');
    await page.getByText(/That barcode could not be read: .*check digit/i).waitFor();
    await page.close();
  });

  it('runs a drill: the blast radius, with nothing changed', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/console/recalls`);
    await page.getByRole('heading', { name: 'Recalls', exact: true }).waitFor();
    await check(page, 'recalls');
    await page.getByRole('button', { name: 'Run a drill' }).click();
    await page.waitForURL('**/console/recalls/new?mock=true');
    await page.getByLabel('Lots', { exact: true }).fill(`${ROMAINE}/RMN-002`);
    await page.getByLabel('Reason', { exact: true }).fill('Quarterly mock recall');
    await page.getByRole('button', { name: 'Run the drill' }).click();
    await page.getByRole('heading', { name: 'Blast radius' }).waitFor();
    const sites = await pairText(page, 'Sites to notify').textContent();
    expect(Number(/(\d+)\s*$/.exec(sites ?? '')?.[1])).toBeGreaterThan(0);
    await check(page, 'drill');
    const lot = await api<{ status: string }>('GET', `/lots/${ROMAINE}/RMN-002`);
    expect(lot.body.status).not.toBe('recalled');
    await page.close();
  });

  it('starts a recall after showing its blast radius, and its progress moves as sites acknowledge', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/console/lots/${ROMAINE}/RMN-003`);
    await page.getByRole('button', { name: 'Recall…' }).click();
    await page.waitForURL('**/console/recalls/new?**');
    expect(await page.getByLabel('Lots', { exact: true }).inputValue()).toBe(`${ROMAINE}/RMN-003`);
    await page.getByLabel('Reason', { exact: true }).fill('Possible Listeria contamination');
    await page.getByLabel('Hazard', { exact: true }).fill('Listeria monocytogenes');
    await page.getByLabel('Instructions to recipients', { exact: true }).fill('Remove from sale and hold for collection');
    await page.getByRole('button', { name: 'Show the blast radius' }).click();
    await page.getByRole('heading', { name: 'Blast radius' }).waitFor();
    await page.getByRole('button', { name: 'Start the recall…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start the recall' }).click();
    await page.waitForURL(/\/console\/recalls\/(?!new)[^/]+$/);
    const recallId = decodeURIComponent(page.url().split('/').pop() ?? '');
    await page.getByRole('heading', { name: 'Progress' }).waitFor();
    await page.getByRole('heading', { name: 'Consignees notified' }).waitFor();
    await check(page, 'recall');
    const acked = async () => Number(/(\d+)\s*$/.exec((await pairText(page, 'Acknowledged').textContent()) ?? '')?.[1]);
    expect(await acked()).toBe(0);

    // Two sites answer (as their store systems would); the page, polling, shows them without a reload.
    const recall = await api<{ affected: { sites: { siteId: string; kind: string; onHand: number }[] } }>('GET', `/recalls/${recallId}`);
    const internal = recall.body.affected.sites.filter((s) => s.kind === 'store' || s.kind === 'warehouse').slice(0, 2);
    expect(internal.length).toBeGreaterThan(0);
    for (const s of internal) {
      const r = await api('POST', `/recalls/${recallId}/acknowledgements`, { siteId: s.siteId, quantityOnHand: 0, quantityRemoved: s.onHand });
      expect(r.status).toBeLessThan(300);
    }
    await expect.poll(acked, { timeout: 15_000 }).toBe(internal.length);
    // The chart's acknowledged line has climbed: the report lists the responders the chart is drawn from.
    await page
      .getByRole('cell', { name: new RegExp(`^${internal[0]?.siteId}`) })
      .first()
      .waitFor();
    await check(page, 'recall-acknowledged');
    await page.close();
  });

  it('acknowledges through an ack link on a phone-sized page, with no sign-in', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    if (!(await hasRoute('GET', '/ack/not-a-token'))) {
      // The acknowledgement API (branch recalls) is not in this build: the page still says plainly that the link does not work.
      await page.goto(`${local.url}/ack/not-a-real-token`);
      await page.getByRole('heading', { name: 'This link no longer works' }).waitFor();
      await check(page, 'ack-dead-link');
      await page.close();
      return;
    }
    const started = await api<{ recallId: string }>('POST', '/recalls', {
      lots: [{ gtin: ROMAINE, lot: 'RMN-004' }],
      classification: 'I',
      reason: 'Undeclared allergen',
      hazard: 'Milk',
      instructions: 'Remove from sale',
    });
    expect(started.status).toBe(201);
    const url = await (async () => {
      for (let i = 0; i < 60; i++) {
        const n = await api<{ items: { body: string }[] }>('GET', '/_local/notifications?topic=recalls');
        for (const item of n.body.items) {
          const m = JSON.parse(item.body) as { recallId?: string; recipient?: { kind?: string }; acknowledge?: { url?: string } };
          if (m.recallId === started.body.recallId && m.recipient?.kind === 'store' && m.acknowledge?.url) return m.acknowledge.url;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error('no notice with an acknowledge.url');
    })();
    const path = new URL(url).pathname;
    await page.goto(`${local.url}${path}`);
    await page
      .getByText(/URGENT/)
      .first()
      .waitFor();
    await check(page, 'ack');
    await page.getByLabel('How many did you remove from sale?').fill('12');
    await page.getByLabel('How many do you still hold (set aside, not for sale)?').fill('0');
    await page.getByRole('button', { name: 'Send my answer' }).click();
    await page.getByText('Thank you. Your answer was recorded.').waitFor();
    await check(page, 'ack-done');
    const status = await api<{ notices: { acknowledged: number } }>('GET', `/recalls/${started.body.recallId}`);
    expect(status.body.notices.acknowledged).toBe(1);
    await page.close();
  });

  it('records an effectiveness check and closes a recall, after which its acknowledgement links stop working', async () => {
    const started = await api<{ recallId: string }>('POST', '/recalls', {
      lots: [{ gtin: ROMAINE, lot: 'RMN-006' }],
      classification: 'II',
      reason: 'Foreign material',
      hazard: 'Plastic fragments',
      instructions: 'Remove from sale',
      effectivenessLevel: 'B',
    });
    expect(started.status).toBe(201);
    const { recallId } = started.body;
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/console/recalls/${encodeURIComponent(recallId)}`);
    await page.getByRole('heading', { name: 'Effectiveness checks (21 CFR 7.42(b)(3))' }).waitFor();
    await page.getByText(/Level B: 0 checks done, \d+ still needed/).waitFor();
    // The form's defaults: the first consignee, by phone, received and complied.
    await page.getByLabel('Check note').fill('Store manager confirmed the shelf was cleared');
    await page.getByRole('button', { name: 'Record check' }).click();
    await page.getByText('Check recorded').waitFor();
    await page.getByText(/Level B: 1 checks done/).waitFor();
    const report = await api<{ effectivenessChecks: { count: number } }>('GET', `/recalls/${encodeURIComponent(recallId)}/report`);
    expect(report.body.effectivenessChecks.count).toBe(1);
    await check(page, 'recall-effectiveness');

    // A notice's link works before the close and answers 404 after it.
    const link = await (async () => {
      for (let i = 0; i < 60; i++) {
        const n = await api<{ items: { body: string }[] }>('GET', '/_local/notifications?topic=recalls');
        for (const item of n.body.items) {
          const m = JSON.parse(item.body) as { recallId?: string; acknowledge?: { url?: string } };
          if (m.recallId === recallId && m.acknowledge?.url) return new URL(m.acknowledge.url).pathname;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error('no notice with an acknowledge.url');
    })();
    expect((await api('GET', link)).status).toBe(200);
    await page.getByLabel('Closing reason').fill('All stock accounted for');
    await page.getByRole('button', { name: 'Close the recall' }).click();
    await page.getByText(/Acknowledgement links no longer work/).waitFor();
    expect((await api<{ status: string }>('GET', `/recalls/${encodeURIComponent(recallId)}`)).body.status).toBe('closed');
    expect((await api('GET', link)).status).toBe(404);
    await check(page, 'recall-closed');
    // The recalls page lists it from the API, though this browser never started it.
    await page.goto(`${local.url}/console/recalls`);
    await page.getByRole('link', { name: recallId, exact: true }).waitFor();
    await page.getByRole('button', { name: /Status of the recalls/ }).waitFor();
    await check(page, 'recalls-list');
    await page.close();
  });

  it('lists an export started through the API on the exports page', async () => {
    const from = new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10);
    const started = await api<{ exportId: string }>('POST', '/exports', {
      format: 'fsma204-csv',
      from,
      to: new Date().toISOString().slice(0, 10),
      gtin: ROMAINE,
    });
    expect(started.status).toBeLessThan(300);
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/console/exports`);
    const row = page.getByRole('row', { name: new RegExp(started.body.exportId) });
    await row.getByRole('link', { name: started.body.exportId, exact: true }).waitFor();
    expect(await row.textContent()).toContain(ROMAINE);
    await check(page, 'exports-list');
    await page.close();
  });

  it('exports the FDA spreadsheet and downloads it', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/console/exports`);
    await page.getByRole('heading', { name: 'Exports', exact: true }).waitFor();
    const from = new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From', { exact: true }).fill(from);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.waitForURL(/\/console\/exports\/[^/]+$/);
    const download = page.getByRole('link', { name: 'Download' });
    await download.waitFor({ timeout: 60_000 });
    await check(page, 'export');
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    const saved = join(downloads, 'export.xlsx');
    await file.saveAs(saved);
    // An XLSX is a ZIP: PK\x03\x04.
    expect(readFileSync(saved).subarray(0, 4).toString('hex')).toBe('504b0304');
    await page.close();
  });

  it('answers an FDA request: deadline, package, sign-off', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/console/fda-requests`);
    await page.getByRole('heading', { name: 'FDA requests', exact: true }).waitFor();
    if (!(await hasRoute('GET', '/fda-requests'))) {
      await page.getByText('FDA requests is not available on this server yet').waitFor();
      await check(page, 'fda-requests-not-built');
      await page.close();
      return;
    }
    await page.getByLabel('FDA reference', { exact: true }).fill('FDA-2026-0042');
    await page.getByLabel('Requested by', { exact: true }).fill('Dana Inspector');
    await page.getByLabel('From', { exact: true }).fill(new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10));
    await page.getByLabel('Foods and lots', { exact: true }).fill(ROMAINE);
    await page.getByRole('button', { name: 'Prepare the package' }).click();
    await page.waitForURL(/\/console\/fda-requests\/[^/]+$/);
    await page.getByTestId('countdown').waitFor();
    expect(await page.getByTestId('countdown').textContent()).toMatch(/left$/);
    await page.getByRole('link', { name: 'Download package (ZIP)' }).waitFor({ timeout: 60_000 });
    await check(page, 'fda-request');
    await page.getByLabel('Your name', { exact: true }).fill('Pat Compliance');
    await page.getByLabel('Your title', { exact: true }).fill('Food Safety Manager');
    await page.getByRole('button', { name: 'I checked the package: sign off' }).click();
    await page.getByText('Signed off', { exact: true }).waitFor();
    await page.close();
  });

  it('shows the expiry board by site, with the at-risk stock marketing can mark down', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/console/expiry`);
    await page.getByRole('tab', { name: /Expiring soon \(\d+\)/ }).waitFor();
    await check(page, 'expiry');
    const checked = await api<{ atRisk: { siteId: string; lot: string }[] }>('POST', '/expiry-checks', {});
    expect(checked.body.atRisk.length).toBeGreaterThan(0);
    // The board runs the same check: its tab counts every at-risk (lot, site) of all sites.
    await page.getByRole('tab', { name: `At risk (${checked.body.atRisk.length})` }).click();
    await page.getByRole('columnheader', { name: /Projected unsold/ }).waitFor();
    await check(page, 'expiry-at-risk');
    await page.close();
  });

  it('lists the KDE gaps of the export range, each with what is missing and why', async () => {
    const gaps = await api<{ total: number; items: { eventId: string }[] }>(
      'GET',
      `/compliance/kde-gaps?from=${new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`,
    );
    expect(gaps.body.total).toBeGreaterThan(0);
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/console/exports`);
    await page.getByLabel('From', { exact: true }).fill(new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10));
    await page.getByRole('heading', { name: /KDE gaps/ }).waitFor();
    await page.getByText(`(${gaps.body.total})`, { exact: true }).waitFor();
    await page.getByRole('cell', { name: gaps.body.items[0]?.eventId, exact: true }).first().waitFor();
    await check(page, 'kde-gaps');
    await page.close();
  });

  it('shows an API error in words and keeps keyboard focus usable', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${local.url}/console/lots/${ROMAINE}/NO-SUCH-LOT`);
    await page.getByText(/Lot NO-SUCH-LOT of 00614141000012 not found/).waitFor();
    // The first Tab reaches the skip link or navigation, not nothing.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');
    await page.close();
  });
});
