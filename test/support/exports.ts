import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { EXPORT_FORMAT_INFO, type ExportJob, type ExportJobStore } from '../../lib/domain/exports.js';
import type { LedgerEntry, LotKey, LotState } from '../../lib/domain/ledger.js';
import { SiteInput, upsertSite } from '../../lib/domain/master-data.js';
import type { Movement } from '../../lib/domain/movement.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import type { RunExportDeps, StreamingObject } from '../../lib/exports/run-export.js';
import { GTIN, mv } from './fixtures.js';
import { memoryLedger } from './memory-ledger.js';

/** Sites with the FSMA location description parts, beside the standard fixtures. */
export const FSMA_SITES = {
  'packer-1': {
    kind: 'warehouse',
    name: 'Valley Packers',
    phone: '+1 831 555 0100',
    address: { street: '1 Field Rd', city: 'Salinas', state: 'CA', postalCode: '93901', country: 'US' },
    gln: '0614141000005',
  },
  'dc-east': { kind: 'warehouse', name: 'DC "East"', address: { city: 'Newark', state: 'NJ' } },
  'grower-1': { kind: 'supplier', name: 'Sunny Grower', phone: '555-0101' },
} as const;

/** Record movements into an in-memory ledger (fixture products and sites plus FSMA_SITES); every one must be accepted. */
export async function ledgerWith(movements: Movement[]) {
  const d = await memoryLedger();
  for (const [siteId, s] of Object.entries(FSMA_SITES)) await upsertSite(d, siteId, SiteInput.parse(s));
  const r = await recordMovements(d, movements);
  const bad = r.results.filter((x) => x.status === 'rejected');
  if (bad.length) throw new Error(`rejected: ${JSON.stringify(bad)}`);
  const entries = [...d.ledger.entryLog.values()].flat();
  return { ...d, entries };
}

/** Entries by UTC day as GSI3 hands them over: one day at a time, in instant order, in pages of `pageSize`. */
export function memoryDays(entries: LedgerEntry[], pageSize = 3): RunExportDeps['days'] {
  const utc = (e: LedgerEntry) => new Date(e.occurredAt).toISOString();
  return {
    async anyOnDay(day) {
      return entries.some((e) => utc(e).slice(0, 10) === day);
    },
    async *entriesOfDay(day) {
      const of = entries.filter((e) => utc(e).slice(0, 10) === day).sort((a, b) => (utc(a) < utc(b) ? -1 : utc(a) > utc(b) ? 1 : 0));
      for (let i = 0; i < of.length; i += pageSize) yield of.slice(i, i + pageSize);
    },
  };
}

/** The export bucket in memory: streamed objects and JSON puts. */
export class MemoryBucket {
  objects = new Map<string, Buffer>();
  open(key: string): StreamingObject {
    const parts: Buffer[] = [];
    const hash = createHash('sha256');
    return {
      write: async (c) => {
        const b = typeof c === 'string' ? Buffer.from(c) : c;
        parts.push(b);
        hash.update(b);
      },
      end: async () => {
        const all = Buffer.concat(parts);
        this.objects.set(key, all);
        return { bytes: all.length, sha256: hash.digest('hex') };
      },
      abort: async () => undefined,
    };
  }
  async putJson(key: string, value: unknown) {
    this.objects.set(key, Buffer.from(JSON.stringify(value)));
    return {};
  }
  json<T>(key: string): T {
    return JSON.parse(this.objects.get(key)?.toString('utf8') ?? 'null') as T;
  }
}

export class MemoryExportJobs implements ExportJobStore {
  jobs = new Map<string, ExportJob>();
  history: ExportJob['status'][] = [];
  async create(job: ExportJob) {
    if (this.jobs.has(job.exportId)) return false;
    this.jobs.set(job.exportId, structuredClone(job));
    this.history.push(job.status);
    return true;
  }
  async get(id: string) {
    return structuredClone(this.jobs.get(id));
  }
  async save(job: ExportJob) {
    this.jobs.set(job.exportId, structuredClone(job));
    this.history.push(job.status);
  }
  async claim(running: ExportJob, readAttempts: number, now: string) {
    const cur = this.jobs.get(running.exportId);
    if (!cur || cur.attempts !== readAttempts || cur.status === 'complete') return false;
    if (cur.status === 'running' && cur.leaseUntil !== undefined && cur.leaseUntil >= now) return false;
    await this.save(running);
    return true;
  }
  async finish(job: ExportJob) {
    if (this.jobs.get(job.exportId)?.attempts !== job.attempts) return false;
    await this.save(job);
    return true;
  }
}

/** Export-runner deps over a memory ledger. */
export function memoryRunDeps(l: Awaited<ReturnType<typeof ledgerWith>>): RunExportDeps & { bucketMem: MemoryBucket; jobs: MemoryExportJobs } {
  const bucketMem = new MemoryBucket();
  const jobs = new MemoryExportJobs();
  return {
    exports: jobs,
    jobs,
    exportFiles: bucketMem,
    bucketMem,
    // the memory ledger chains as it records: nothing to wait for
    chainTrailMs: 0,
    days: memoryDays(l.entries),
    sources: {
      master: l.master,
      heads: async (keys: LotKey[]) => keys.map((k) => l.ledger.lots.get(`${k.gtin}|${k.lot}`)).filter((x): x is LotState => x !== undefined),
      firstEntries: async (k: LotKey) => (l.ledger.entryLog.get(`${k.gtin}|${k.lot}`) ?? []).slice(0, 10),
      lastEntryAt: async (k: LotKey, at: string, below: number) =>
        (l.ledger.entryLog.get(`${k.gtin}|${k.lot}`) ?? []).filter((e) => e.seq < below && e.recordedAt <= at).at(-1),
    },
    clock: l.clock,
  };
}

/** The shared GS1 EPCIS 2.0 JSON schema (draft-07), compiled with ajv and ajv-formats (it uses `uri` and `date-time`). */
export function epcisValidator() {
  const schema = JSON.parse(readFileSync(new URL('../../../shared/epcis/EPCIS-JSON-Schema.json', import.meta.url), 'utf8')) as object;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  return ajv.compile(schema);
}

/** A pending job for runExport, keyed under exports/{id}/. */
export function pendingJob(exportId: string, request: ExportJob['request']): ExportJob {
  const key = `exports/${exportId}/file.${EXPORT_FORMAT_INFO[request.format].extension}`;
  return {
    exportId,
    status: 'pending',
    format: request.format,
    request,
    requestedBy: 'test',
    createdAt: '2026-03-01T12:00:00.000Z',
    updatedAt: '2026-03-01T12:00:00.000Z',
    bucket: 'mem',
    key,
    manifestKey: `${key}.manifest.json`,
    attempts: 0,
  };
}

const at = (t: string) => `2026-03-01T${t}-05:00`;
/** One lot's life across every CTE, plus the movements that make no row. */
export const life = (): Movement[] => [
  mv({ eventId: 'e01-harvest', type: 'harvest', lot: 'H1', quantity: 100, site: 'packer-1', counterparty: 'dc-1', occurredAt: at('06:00') }),
  mv({ eventId: 'e02-cool', type: 'cool', lot: 'H1', quantity: 100, site: 'packer-1', occurredAt: at('07:00') }),
  mv({ eventId: 'e03-pack', type: 'initial-pack', lot: 'P1', quantity: 50, site: 'packer-1', occurredAt: at('08:00') }),
  mv({ eventId: 'e04-flr', type: 'first-land-receive', gtin: GTIN.tomato, lot: 'F1', quantity: 5, site: 'dc-east', occurredAt: at('08:30') }),
  mv({
    eventId: 'e05-receive',
    type: 'receive',
    lot: 'R1',
    quantity: 40,
    site: 'dc-1',
    counterparty: 'grower-1',
    tlcSource: 'grower-1',
    reference: { type: 'BOL', number: '=SUM(A1)' },
    occurredAt: at('09:00'),
  }),
  mv({ eventId: 'e06-ship', type: 'ship', lot: 'R1', quantity: 5, site: 'dc-1', counterparty: 'dist-1', occurredAt: at('10:00') }),
  mv({ eventId: 'e07-transfer', type: 'transfer', lot: 'R1', quantity: 10, site: 'dc-1', counterparty: 'store-1', occurredAt: at('11:00') }),
  mv({ eventId: 'e08-sell', type: 'sell', lot: 'R1', quantity: 2, site: 'store-1', counterparty: 'cust-1', occurredAt: at('12:00') }),
  mv({ eventId: 'e09-consumer-return', type: 'return', lot: 'R1', quantity: 1, site: 'store-1', counterparty: 'cust-1', occurredAt: at('13:00') }),
  mv({ eventId: 'e10-b2b-return', type: 'return', lot: 'R1', quantity: 1, site: 'dc-1', counterparty: 'dist-1', occurredAt: at('13:30') }),
  mv({
    eventId: 'e11-tomato',
    type: 'receive',
    gtin: GTIN.tomato,
    lot: 'T1',
    quantity: 30,
    site: 'dc-1',
    counterparty: 'farm-1',
    occurredAt: at('14:00'),
  }),
  mv({
    eventId: 'e12-transform',
    type: 'transform',
    gtin: GTIN.saladKit,
    lot: 'K1',
    quantity: 20,
    site: 'dc-1',
    inputs: [
      { gtin: GTIN.romaine, lot: 'R1', quantity: 4 },
      { gtin: GTIN.tomato, lot: 'T1', quantity: 3 },
    ],
    occurredAt: at('15:00'),
  }),
  mv({ eventId: 'e13-adjust', type: 'adjust', lot: 'R1', quantity: -1, site: 'dc-1', occurredAt: at('16:00') }),
  mv({ eventId: 'e14-dispose', type: 'dispose', lot: 'R1', quantity: 1, site: 'dc-1', occurredAt: at('16:30') }),
  mv({
    eventId: 'e15-phone',
    type: 'receive',
    gtin: GTIN.phone,
    lot: 'N1',
    quantity: 3,
    site: 'dc-1',
    counterparty: 'farm-1',
    occurredAt: at('17:00'),
  }),
];
