import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { makeGetComplianceKdeGaps } from '../../functions/get-compliance-kde-gaps.js';
import { loadDemo } from '../../infra/local/demo.js';
import { CTES } from '../../lib/domain/fsma204.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { memoryRunDeps } from '../support/exports.js';
import { call } from '../support/http.js';
import { memoryLedger } from '../support/memory-ledger.js';

describe('demo data', () => {
  it('exercises every CTE with complete KDEs, apart from a few deliberate gaps the KDE report finds', async () => {
    // Prepare: the demo through the same use cases its routes call
    const d = await memoryLedger();
    const warnings: string[] = [];
    const api = async (method: string, path: string, body?: unknown) => {
      const [, kind, id] = path.split('/');
      if (method === 'PUT' && kind === 'products') return upsertProduct(d, id as string, ProductInput.parse(body));
      if (method === 'PUT' && kind === 'sites') return upsertSite(d, id as string, SiteInput.parse(body));
      const r = await recordMovements(d, (body as { movements: unknown[] }).movements);
      for (const x of r.results) for (const w of x.warnings ?? []) warnings.push(`${x.eventId} ${w.path}`);
      return r;
    };
    // Act
    const summary = await loadDemo(api, new Date('2026-03-20T12:00:00Z'));
    const run = memoryRunDeps({ ...d, entries: [...d.ledger.entryLog.values()].flat() });
    const h = makeGetComplianceKdeGaps({ days: run.days, sources: run.sources, clock: d.clock, logger: new Logger({ logLevel: 'SILENT' }) });
    const res = await call<{ items: { eventId: string; cte: string; missing: string[] }[]; total: number }>(
      h,
      'GET',
      '/compliance/kde-gaps?from=2026-02-01&to=2026-03-31',
    );
    // Assess
    expect(summary.rejected).toBe(0);
    const gaps = res.body.items.map((i) => `${i.cte}: ${i.missing.join(', ')}`);
    expect(gaps).toEqual([
      'Initial Packing: Field or Growing Area Name, Harvest Date',
      'Shipping: Reference Document Type, Reference Document Number',
    ]);
    expect(warnings.some((w) => w.endsWith(' type'))).toBe(true); // the cooling after packing
    // every CTE has rows
    const { runExport } = await import('../../lib/exports/run-export.js');
    const { pendingJob } = await import('../support/exports.js');
    const job = pendingJob('X-demo', { format: 'fsma204-csv', from: '2026-02-01', to: '2026-03-31' });
    await run.jobs.create(job);
    await runExport(run, job.exportId);
    const text = run.bucketMem.objects.get(job.key)?.toString('utf8') ?? '';
    for (const cte of CTES) expect(text, cte).toContain(`\r\n${cte},`);
  });
});
