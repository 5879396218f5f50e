import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { need } from '../../functions/deps.js';
import { makePostExports } from '../../functions/post-exports.js';
import { systemClock } from '../../lib/domain/clock.js';
import type { ExportManifest } from '../../lib/domain/exports.js';
import type { LedgerEntry } from '../../lib/domain/ledger.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { runExport } from '../../lib/exports/run-export.js';
import { DynamoLedgerStore } from '../../lib/store/dynamo-ledger-store.js';
import { freshBucket, freshTable } from '../support/aws.js';
import { chainAll } from '../support/chaining-ledger.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';

const LOTS = Array.from({ length: 8 }, (_, i) => `CUT${i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one consistent cut on DynamoDB Local, the sequencer chaining behind acceptance', () => {
  it('fsma204-csv: the manifest heads are the last entries in the rows of every lot, while ingest appends (and backdates) to the same lots', async () => {
    // Prepare: real time, chaining deferred to a sequencer polling every 50 ms (as the local stack's poller does)
    const t = await freshTable('cut');
    const bucket = await freshBucket('cut');
    const d = need(
      depsFor(t.doc, t.tableName, systemClock, { s3: bucket.s3, env: { EXPORT_BUCKET: bucket.bucket }, chain: 'deferred' }),
      'exportFiles',
    );
    for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
    for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
    let sequencing = true;
    const sequencer = (async () => {
      while (sequencing) {
        await chainAll(t.doc, t.tableName, systemClock);
        await sleep(50);
      }
    })();
    const accepted = async (ms: ReturnType<typeof mv>[]) => {
      const r = await recordMovements(d, ms);
      expect(r.results.filter((x) => x.status !== 'accepted').slice(0, 1)).toEqual([]);
    };
    await accepted(
      LOTS.map((lot) =>
        mv({ eventId: `in-${lot}`, type: 'receive', lot, quantity: 1000, counterparty: 'farm-1', occurredAt: '2026-03-01T06:00:00Z' }),
      ),
    );
    // Each wave ships from every lot on days 3, 2 and 1, in that order: every wave after the first backdates the lot.
    let wave = 0;
    let ingesting = true;
    const waveOf = (w: number) =>
      LOTS.flatMap((lot) =>
        [3, 2, 1].map((day) =>
          mv({
            eventId: `w${w}-${lot}-${day}`,
            type: 'ship',
            lot,
            quantity: 1,
            counterparty: 'dist-1',
            occurredAt: `2026-03-0${day}T10:${String(w % 60).padStart(2, '0')}:00Z`,
          }),
        ),
      );
    const ingest = async () => {
      // bounded, so a slow export on a loaded machine does not keep ingest (and the test) running for minutes
      while (ingesting && wave < before + 30) await accepted(waveOf(++wave));
    };
    for (let i = 0; i < 3; i++) await accepted(waveOf(++wave));
    // Every lot has entries sealed before the export starts (what the sequencer seals after its cut is outside it)
    await chainAll(t.doc, t.tableName, systemClock);
    await sleep(5);
    const before = wave;
    // Act: the export starts while ingest keeps appending, through the 2 s chaining trail and the reads
    const ingestion = ingest();
    const posted = await call<{ exportId: string }>(
      makePostExports({ ...d, queue: { send: async () => undefined } }),
      'POST',
      '/exports',
      { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-03' },
      {},
    );
    expect(posted.status).toBe(202);
    const job = await runExport(d, posted.body.exportId);
    ingesting = false;
    await ingestion;
    sequencing = false;
    await sequencer;
    await chainAll(t.doc, t.tableName, systemClock);
    // Assess
    expect(job?.status).toBe('complete');
    expect(wave - before).toBeGreaterThan(1); // ingest went on while the export ran
    const manifest = (await d.exportFiles.readJson<ExportManifest>(job?.manifestKey ?? '')) as ExportManifest;
    const file = await bucket.s3.send(new GetObjectCommand({ Bucket: bucket.bucket, Key: job?.key }));
    const csv = (await file.Body?.transformToString('utf8')) ?? '';
    const ids = new Set((parse(csv, { columns: true, bom: true }) as Record<string, string>[]).map((r) => r['Event ID'] as string));
    const ledger = new DynamoLedgerStore(t.doc, t.tableName);
    expect(manifest.lots.map((h) => h.lot).sort()).toEqual([...LOTS].sort());
    let lastIn = '';
    let firstOut = '9999';
    let movedOn = 0;
    let backdatedOut = 0;
    for (const h of manifest.lots) {
      expect(h.gtin).toBe(GTIN.romaine);
      const chain = await ledger.allEntries({ gtin: h.gtin, lot: h.lot });
      const rows = chain.filter((e) => ids.has(e.eventId));
      const last = rows.reduce<LedgerEntry | undefined>((a, e) => (a && a.seq > e.seq ? a : e), undefined);
      // the head the manifest names is the last entry the rows hold, and the rows hold exactly the chain up to it
      expect({ lot: h.lot, seq: h.seq, hash: h.hash }).toEqual({ lot: h.lot, seq: last?.seq, hash: last?.hash });
      expect(rows.map((e) => e.seq)).toEqual(Array.from({ length: h.seq }, (_, i) => i + 1));
      const out = chain.filter((e) => e.seq > h.seq);
      for (const e of rows) lastIn = e.recordedAt > lastIn ? e.recordedAt : lastIn;
      for (const e of out) firstOut = e.recordedAt < firstOut ? e.recordedAt : firstOut;
      if (out.length) movedOn++;
      const newest = rows.reduce((m, e) => (e.occurredAt > m ? e.occurredAt : m), '');
      backdatedOut += out.filter((e) => e.occurredAt < newest).length;
    }
    // One instant cuts every chain: all the rows were recorded before everything left out, and nothing recorded by the
    // time the export started is left out; the ledger went on past the cut in every lot, back in time too.
    expect(lastIn < firstOut, `last row recorded ${lastIn}, first entry left out ${firstOut}`).toBe(true);
    expect(firstOut > (job?.startedAt ?? ''), `first entry left out ${firstOut}, export started ${job?.startedAt}`).toBe(true);
    expect(movedOn).toBe(LOTS.length);
    expect(backdatedOut).toBeGreaterThan(0);
  }, 180_000);
});
