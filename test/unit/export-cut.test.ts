import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { ExportManifest } from '../../lib/domain/exports.js';
import type { LedgerEntry } from '../../lib/domain/ledger.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import type { RunExportDeps } from '../../lib/exports/run-export.js';
import { runExport } from '../../lib/exports/run-export.js';
import { ledgerWith, memoryRunDeps, pendingJob } from '../support/exports.js';
import { mv } from '../support/fixtures.js';

const LOTS = Array.from({ length: 12 }, (_, i) => `C${i}`);

describe('one consistent cut', () => {
  it.each([
    'fsma204-csv',
    'epcis-jsonld',
  ] as const)('%s: the manifest heads are the heads the rows were read at, while ingest appends (and backdates) to the same lots', async (format) => {
    // Prepare: 30 lots received on day 1; every page the export reads lets ingest ship from each lot on days 1-3
    const l = await ledgerWith(
      LOTS.map((lot) =>
        mv({ eventId: `in-${lot}`, type: 'receive', lot, quantity: 1000, counterparty: 'farm-1', occurredAt: '2026-03-01T06:00:00Z' }),
      ),
    );
    // A clock that moves a second each time it is read: ledger and export share it, as Lambdas share real time.
    let t = Date.parse('2026-03-01T12:00:01Z');
    l.clock = {
      now: () => {
        t += 1000;
        return new Date(t);
      },
    };
    const d = memoryRunDeps(l);
    let wave = 0;
    const ingest = async () => {
      if (wave === 20) return; // a minute each, within one hour
      wave++;
      const ms = LOTS.flatMap((lot) =>
        [1, 2, 3].map((dd) =>
          mv({
            eventId: `w${wave}-${lot}-${dd}`,
            type: 'ship',
            lot,
            quantity: 1,
            counterparty: 'dist-1',
            occurredAt: `2026-03-0${dd}T10:${String(wave).padStart(2, '0')}:00Z`,
          }),
        ),
      );
      const r = await recordMovements(l, ms);
      expect(r.results.filter((x) => x.status !== 'accepted').slice(0, 1)).toEqual([]);
    };
    const live = () => [...l.ledger.entryLog.values()].flat();
    const utc = (e: LedgerEntry) => new Date(e.occurredAt).toISOString();
    const days: RunExportDeps['days'] = {
      anyOnDay: async (dd) => live().some((e) => utc(e).startsWith(dd)),
      async *entriesOfDay(dd) {
        // Each page is read from the ledger as it is now; ingest runs between pages (as it does beside a real export).
        for (let i = 0; ; i += 7) {
          const page = live()
            .filter((e) => utc(e).startsWith(dd))
            .sort((a, b) => (utc(a) < utc(b) ? -1 : utc(a) > utc(b) ? 1 : a.seq - b.seq))
            .slice(i, i + 7);
          if (page.length === 0) return;
          yield page;
          await ingest();
        }
      },
    };
    d.days = days;
    const job = pendingJob(`X-cut-${format}`, { format, from: '2026-03-01', to: '2026-03-03' });
    await d.jobs.create(job);
    // Act: three waves before the export starts, more while it reads
    await ingest();
    await ingest();
    await ingest();
    await runExport(d, job.exportId);
    // Assess
    expect(wave).toBeGreaterThan(10);
    const manifest = d.bucketMem.json<ExportManifest>(job.manifestKey);
    const cutAt = d.jobs.jobs.get(job.exportId)?.startedAt ?? '';
    const text = d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '';
    const ids =
      format === 'fsma204-csv'
        ? (parse(text, { columns: true, bom: true }) as Record<string, string>[]).map((r) => r['Event ID'] as string)
        : (JSON.parse(text) as { epcisBody: { eventList: unknown[] } }).epcisBody.eventList.map(() => '');
    let disagree = 0;
    let cutTotal = 0;
    expect(manifest.lots).toHaveLength(LOTS.length);
    for (const h of manifest.lots) {
      const chain = l.ledger.entryLog.get(`${h.gtin}|${h.lot}`) ?? [];
      const inCut = chain.filter((e) => e.recordedAt <= cutAt);
      cutTotal += inCut.length;
      // the manifest names the last link recorded up to the cut, and the ledger went on past it
      if (h.seq !== inCut.at(-1)?.seq || h.hash !== inCut.at(-1)?.hash) disagree++;
      expect(chain.length).toBeGreaterThan(h.seq);
      if (format === 'fsma204-csv') {
        const mine = ids.filter((id) => id === `in-${h.lot}` || /^w\d+-(C\d+)-\d$/.exec(id)?.[1] === h.lot);
        if (
          mine.sort().join() !==
          inCut
            .map((e) => e.eventId)
            .sort()
            .join()
        )
          disagree++;
      }
    }
    expect(disagree).toBe(0);
    if (format === 'epcis-jsonld') expect(ids.length).toBe(cutTotal);
  });
});
