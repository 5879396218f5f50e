import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { checkPackage } from '../../cli/commands/fda-request.js';
import { makeGetFdaRequest } from '../../functions/get-fda-request.js';
import { makePostFdaRequests } from '../../functions/post-fda-requests.js';
import { type FdaRequest, type FdaRequestStore, markFdaSent, requestFda, signOffFda } from '../../lib/domain/fda-requests.js';
import { runFdaPackage } from '../../lib/exports/fda-package.js';
import { MemoryBucket, memoryRunDeps } from '../support/exports.js';
import { fullKdeLedger } from '../support/fsma-scenario.js';
import { call } from '../support/http.js';

class MemoryFda implements FdaRequestStore {
  items = new Map<string, FdaRequest>();
  async create(r: FdaRequest) {
    if (this.items.has(r.requestId)) return false;
    this.items.set(r.requestId, structuredClone(r));
    return true;
  }
  async get(id: string) {
    return structuredClone(this.items.get(id));
  }
  async save(r: FdaRequest) {
    this.items.set(r.requestId, structuredClone(r));
  }
  async replace(r: FdaRequest, updatedAt: string) {
    if (this.items.get(r.requestId)?.updatedAt !== updatedAt) return false;
    this.items.set(r.requestId, structuredClone(r));
    return true;
  }
  async list() {
    return [...this.items.values()].map((r) => structuredClone(r));
  }
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const input = {
  reference: 'FDA-2026-0042',
  requestedAt: '2026-03-02T09:00:00-05:00',
  requestedBy: { name: 'R. Inspector', agency: 'FDA ORA', email: 'inspector@fda.example' },
  from: '2026-03-01',
  to: '2026-03-01',
};

async function setup() {
  const l = await fullKdeLedger();
  let t = Date.parse('2026-03-02T15:00:00Z');
  l.clock = {
    now: () => {
      t += 1000;
      return new Date(t);
    },
  };
  const run = memoryRunDeps(l);
  const fda = new MemoryFda();
  const queued: string[] = [];
  const bucket = new MemoryBucket();
  const d = {
    fda,
    fdaQueue: { sendFdaRequest: async (id: string) => void queued.push(id) },
    exportFiles: Object.assign(bucket, { bucket: 'lock-bucket' }),
    clock: l.clock,
    newToken: () => '0123456789abcdef0123',
    days: run.days,
    sources: run.sources,
    chainTrailMs: 0,
  };
  return { l, d, fda, queued, bucket };
}

describe('FDA requests: the 24-hour workflow', () => {
  it('requests, builds one ZIP package whose manifest SHA-256s match the files, signs off into a new version, and is sent', async () => {
    const { d, queued, bucket } = await setup();
    // Act 1: the request
    const r = await requestFda(d, input);
    expect(r).toMatchObject({ status: 'preparing', dueBy: '2026-03-03T14:00:00.000Z', version: 0 });
    expect(queued).toEqual([r.requestId]);
    // Act 2: the worker builds the package
    const ready = await runFdaPackage(d, r.requestId);
    expect(ready).toMatchObject({ status: 'ready', version: 1, kdeGaps: 0, packageKey: `fda-requests/${r.requestId}/v1/package.zip` });
    const zipBytes = bucket.objects.get(ready?.packageKey ?? '') as Buffer;
    expect(sha(zipBytes)).toBe(ready?.packageSha256);
    const zip = await JSZip.loadAsync(zipBytes);
    expect(Object.keys(zip.files).sort()).toEqual([
      'README.txt',
      'epcis-2026-03-01-2026-03-01.jsonld',
      'fsma204-2026-03-01-2026-03-01.csv',
      'fsma204-2026-03-01-2026-03-01.xlsx',
      'manifest.json',
    ]);
    const manifest = JSON.parse(await (zip.file('manifest.json')?.async('string') ?? '')) as {
      files: { name: string; sha256: string; bytes: number }[];
      lots: { gtin: string; lot: string; seq: number; hash: string }[];
      cutAt: string;
    };
    for (const f of manifest.files) {
      const body = await zip.file(f.name)?.async('uint8array');
      expect(body && sha(body), f.name).toBe(f.sha256);
      expect(body?.length).toBe(f.bytes);
    }
    expect(manifest.files.map((f) => f.name)).toContain('README.txt');
    expect(manifest.lots.length).toBeGreaterThan(0);
    expect(manifest.cutAt).toBe(r.cutAt);
    const readme = (await zip.file('README.txt')?.async('string')) ?? '';
    expect(readme).toContain('FDA-2026-0042');
    expect(readme).toContain('KDE gaps: 0');
    expect(ready?.files?.find((f) => f.name === 'manifest.json')?.sha256).toBe(
      sha(Buffer.from(await (zip.file('manifest.json')?.async('uint8array') ?? new Uint8Array()))),
    );
    // the CLI's check passes on the package and catches a file changed inside it
    expect(await checkPackage(zipBytes, ready ?? {})).toEqual([]);
    const tampered = await JSZip.loadAsync(zipBytes);
    tampered.file('fsma204-2026-03-01-2026-03-01.csv', 'changed');
    const again = await tampered.generateAsync({ type: 'uint8array' });
    expect(await checkPackage(again, { files: ready?.files ?? [] })).toEqual([
      expect.stringMatching(/^fsma204-2026-03-01-2026-03-01\.csv: sha256 [0-9a-f]{64} is not the manifest's/),
      "fsma204-2026-03-01-2026-03-01.csv: sha256 does not match the API's " + (ready?.files?.find((f) => f.name.endsWith('.csv'))?.sha256 ?? ''),
    ]);
    // a redelivered message does nothing twice
    expect((await runFdaPackage(d, r.requestId))?.version).toBe(1);
    // Act 3: sign-off makes version 2 with the same cut and the sign-off in its manifest
    const answer = await signOffFda(d, r.requestId, { name: 'Q. Officer', title: 'Compliance officer' });
    // signed off at once, the version that carries it being built
    expect(answer).toMatchObject({ status: 'signed-off', version: 1, building: 2 });
    const signed = await runFdaPackage(d, r.requestId);
    expect(signed).toMatchObject({ status: 'signed-off', version: 2 });
    const zip2 = await JSZip.loadAsync(bucket.objects.get(signed?.packageKey ?? '') as Buffer);
    const m2 = JSON.parse((await zip2.file('manifest.json')?.async('string')) ?? '') as { signOff: { name: string }; lots: unknown };
    expect(m2.signOff.name).toBe('Q. Officer');
    expect(m2.lots).toEqual(manifest.lots);
    expect(await zip2.file('fsma204-2026-03-01-2026-03-01.csv')?.async('string')).toBe(
      await zip.file('fsma204-2026-03-01-2026-03-01.csv')?.async('string'),
    );
    // Act 4: sent
    const sent = await markFdaSent(d, r.requestId, { sentAt: '2026-03-02T20:00:00-05:00', channel: 'email' });
    expect(sent.status).toBe('sent');
    expect(sent.history.map((h) => h.action)).toEqual(['requested', 'ready', 'signed-off', 'ready', 'sent']);
  });

  it('takes a `sent` right after the sign-off, while the signed version is still being built, and keeps it', async () => {
    const { d, fda } = await setup();
    const r = await requestFda(d, input);
    await runFdaPackage(d, r.requestId);
    await signOffFda(d, r.requestId, { name: 'Q. Officer', title: 'Compliance officer' });
    const sent = await markFdaSent(d, r.requestId, { sentAt: '2026-03-02T20:00:00-05:00', channel: 'email' });
    expect(sent).toMatchObject({ status: 'sent', version: 1, building: 2 });
    const built = await runFdaPackage(d, r.requestId);
    expect(built).toMatchObject({ status: 'sent', version: 2, sent: { channel: 'email' }, signOff: { name: 'Q. Officer' } });
    expect(built?.building).toBeUndefined();
    expect((await fda.get(r.requestId))?.history.map((h) => h.action)).toEqual(['requested', 'ready', 'signed-off', 'sent', 'ready']);
    // a redelivered message builds nothing more
    expect((await runFdaPackage(d, r.requestId))?.version).toBe(2);
  });

  it('answers files and kdeGaps before the first package exists', async () => {
    const { d } = await setup();
    const r = await requestFda(d, input);
    const h = makeGetFdaRequest({ ...d, exportFiles: d.exportFiles as never, logger: new Logger({ logLevel: 'SILENT' }) });
    const view = await call<{ status: string; files: unknown[]; kdeGaps: unknown }>(h, 'GET', `/fda-requests/${r.requestId}`);
    expect(view.body).toMatchObject({ status: 'preparing', files: [], kdeGaps: null });
  });

  it('refuses a sign-off before the package is ready (409) and writes nothing', async () => {
    const { d, fda } = await setup();
    const r = await requestFda(d, input);
    await expect(signOffFda(d, r.requestId, { name: 'A', title: 'B' })).rejects.toMatchObject({ code: 'invalid_state' });
    expect((await fda.get(r.requestId))?.history).toHaveLength(1);
  });

  it('answers 400 naming the field for from after to and a missing requestedBy, and records nothing', async () => {
    const { d, fda } = await setup();
    const h = makePostFdaRequests({ ...d, logger: new Logger({ logLevel: 'SILENT' }) });
    const bad = await call<{ error: { details: { path: string }[] } }>(h, 'POST', '/fda-requests', { ...input, from: '2026-03-05' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((x) => x.path)).toEqual(['to']);
    const { requestedBy: _, ...noWho } = input;
    const bad2 = await call<{ error: { details: { path: string }[] } }>(h, 'POST', '/fda-requests', noWho);
    expect(bad2.body.error.details.map((x) => x.path)).toEqual(['requestedBy']);
    expect(fda.items.size).toBe(0);
    const ok = await call<{ requestId: string; timeLeft: number }>(h, 'POST', '/fda-requests', input);
    expect(ok.status).toBe(201);
    expect(ok.body.timeLeft).toBeGreaterThan(0);
  });
});
