import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../cli/api-client.js';
import { exportCommand } from '../../cli/commands/export.js';
import { FSMA_SITES, life } from '../support/exports.js';
import { PRODUCTS, SITES } from '../support/fixtures.js';
import { startLocal, stopLocal } from '../support/local-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lotledger-e2e-exports-'));
const outDir = mkdtempSync(join(tmpdir(), 'lotledger-e2e-exports-out-'));
let child: ChildProcess;
let url = '';

/** `npm start` on a free port, jobs on: the local SQS emulator hands queued exports to the export worker. */
beforeAll(async () => {
  ({ child, url } = await startLocal(dataDir));
  const send = async (method: string, path: string, body: unknown) => {
    const r = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<Record<string, unknown>>;
  };
  for (const { gtin, ...p } of PRODUCTS) await send('PUT', `/products/${gtin}`, p);
  for (const { siteId, ...s } of SITES) await send('PUT', `/sites/${siteId}`, s);
  for (const [siteId, s] of Object.entries(FSMA_SITES)) await send('PUT', `/sites/${siteId}`, s);
  const r = await send('POST', '/movements', { movements: life() });
  expect(r.rejected).toBe(0);
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) await stopLocal(child);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

describe('exports on the local stack (npm start)', () => {
  it('queues an export over HTTP, runs it through the local SQS emulator and serves a presigned URL of the embedded S3', async () => {
    // Act
    const posted = (await (
      await fetch(`${url}/exports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' }),
      })
    ).json()) as { exportId: string };
    let view: { status: string; url?: string; sha256: string | null; rowCount?: number; manifest?: { sha256: string } } = {
      status: 'pending',
      sha256: null,
    };
    for (let i = 0; i < 100 && view.status !== 'complete' && view.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      view = (await (await fetch(`${url}/exports/${posted.exportId}`)).json()) as typeof view;
    }
    // Assess
    expect(view).toMatchObject({ status: 'complete', rowCount: 12 });
    const body = Buffer.from(await (await fetch(view.url as string)).arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(view.manifest?.sha256);
  });

  it('lotledger export downloads the file, checks it against the manifest and reports it as JSON', async () => {
    const file = join(outDir, 'fsma.xlsx');
    const logged: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => {
      logged.push(String(s));
      return true;
    }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await exportCommand(new ApiClient(url), 'fsma204-xlsx', { from: '2026-03-01', to: '2026-03-01', output: file, json: true, pollMs: 200 });
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    const summary = JSON.parse(logged.join('')) as { verified: boolean; sha256: string; file: string };
    expect(summary).toMatchObject({ verified: true, file });
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(summary.sha256);
  });
});
