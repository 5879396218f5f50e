import { z } from 'zod';
import { hashOf } from './canonical.js';
import type { Clock } from './clock.js';
import { daysBetween } from './dates.js';
import { AppError } from './errors.js';
import { DaySchema, GtinSchema, LotSchema } from './ids.js';

export const EXPORT_FORMATS = ['fsma204-csv', 'fsma204-xlsx', 'epcis-jsonld'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The longest date range one export may cover: a sanity bound (each day is one Query, most of them empty). */
export const MAX_EXPORT_DAYS = 50 * 366;
/** A presigned download URL lives at most this long (CONTRACT.md: 15 minutes). */
export const URL_TTL_SECONDS = 15 * 60;

export const ExportRequest = z
  .strictObject({
    format: z.enum(EXPORT_FORMATS, { error: `must be one of ${EXPORT_FORMATS.join(', ')}` }),
    from: DaySchema,
    to: DaySchema,
    gtin: GtinSchema.optional(),
    lot: LotSchema.optional(),
    // FDA may name several foods or lot codes at once (issue 14)
    gtins: z.array(GtinSchema).min(1, 'must hold 1-100 GTINs when given').max(100, 'at most 100 GTINs').optional(),
    lots: z
      .array(z.strictObject({ gtin: GtinSchema, lot: LotSchema }))
      .min(1, 'must hold 1-500 lots when given')
      .max(500, 'at most 500 lots')
      .optional(),
    includeNonFtl: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.to < r.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    else if (daysBetween(r.from, r.to) > MAX_EXPORT_DAYS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the range may cover at most ${MAX_EXPORT_DAYS} days` });
    if (r.lot !== undefined && r.gtin === undefined) ctx.addIssue({ code: 'custom', path: ['gtin'], message: 'is required with lot' });
  });
export type ExportRequest = z.infer<typeof ExportRequest>;

/** What an export covers: every GTIN and lot named by `gtin`/`lot`, `gtins` and `lots`; empty sets = everything. */
export type ExportScope = { gtins: ReadonlySet<string>; lots: ReadonlySet<string>; all: boolean };

/** The scope of a request, once.
 * @example scopeOf({ gtins: ['00614141000012'], lots: [{ gtin: '09506000134352', lot: 'L1' }] }).lots.has('09506000134352|L1') // true
 */
export function scopeOf(r: Pick<ExportRequest, 'gtin' | 'lot' | 'gtins' | 'lots'>): ExportScope {
  const gtins = new Set<string>(r.gtins ?? []);
  const lots = new Set<string>((r.lots ?? []).map((l) => `${l.gtin}|${l.lot}`));
  if (r.gtin !== undefined) r.lot !== undefined ? lots.add(`${r.gtin}|${r.lot}`) : gtins.add(r.gtin);
  return { gtins, lots, all: gtins.size === 0 && lots.size === 0 };
}

export type ExportStatus = 'pending' | 'running' | 'complete' | 'failed';

/** The export job record (item `EXPORT#{id}`). */
export type ExportJob = {
  exportId: string;
  status: ExportStatus;
  format: ExportFormat;
  request: ExportRequest;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  bucket: string;
  key: string;
  manifestKey: string;
  attempts: number;
  /** while `running`: until when this attempt owns the job (longer than the worker's timeout) */
  leaseUntil?: string;
  startedAt?: string;
  completedAt?: string;
  rowCount?: number;
  bytes?: number;
  sha256?: string;
  /** fsma204 formats: how many required KDEs the rows lack */
  kdeGaps?: number;
  error?: string;
};

/** The manifest written beside each export file: what was asked, by whom, what came out, and the chains it rests on. */
export type ExportManifest = {
  manifestVersion: 1;
  exportId: string;
  format: ExportFormat;
  request: ExportRequest;
  requestedBy: string;
  generatedAt: string;
  bucket: string;
  key: string;
  contentType: string;
  rowCount: number;
  bytes: number;
  /** SHA-256 (hex) of the whole file, computed while it was streamed out */
  sha256: string;
  /** fsma204 formats: how many required KDEs the rows lack (the xlsx KDE Gaps tab lists them) */
  kdeGaps?: number;
  /** each lot in the file: its chain head as read during the export; the file holds its entries up to that head only */
  lots: { gtin: string; lot: string; seq: number; hash: string }[];
};

export interface ExportJobStore {
  /** false when the id is taken */
  create(job: ExportJob): Promise<boolean>;
  get(exportId: string): Promise<ExportJob | undefined>;
  save(job: ExportJob): Promise<void>;
  /**
   * Start an attempt: write `running` (its attempts one more than `readAttempts`, with a lease) only if the job still
   * has `readAttempts`, is not complete and no other attempt holds an unexpired lease. false when another got there first.
   */
  claim(running: ExportJob, readAttempts: number, now: string): Promise<boolean>;
  /** Save an attempt's outcome only while that attempt (`job.attempts`) is still the job's latest; false otherwise. */
  finish(job: ExportJob): Promise<boolean>;
}
export interface ExportQueue {
  send(exportId: string): Promise<void>;
}
export interface ExportFiles {
  readonly bucket: string;
  presignGet(key: string, seconds: number, filename: string): Promise<string>;
  readJson<T>(key: string): Promise<T | undefined>;
}

export type ExportDeps = { exports: ExportJobStore; queue: ExportQueue; exportFiles: ExportFiles; clock: Clock; newToken: () => string };

/** What a format's file is: its file name extension, its content type, and the word its object key starts with. */
export type ExportFormatInfo = { extension: string; contentType: string; keyPrefix: string };

/** The pure facts of each format; lib/exports/formats.ts adds each one's writer (a new format is a compiler error there). */
export const EXPORT_FORMAT_INFO: Readonly<Record<ExportFormat, ExportFormatInfo>> = {
  'fsma204-csv': { extension: 'csv', contentType: 'text/csv; charset=utf-8', keyPrefix: 'fsma204' },
  'fsma204-xlsx': {
    extension: 'xlsx',
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    keyPrefix: 'fsma204',
  },
  'epcis-jsonld': { extension: 'jsonld', contentType: 'application/ld+json', keyPrefix: 'epcis' },
};

/** The object key of an export: under its id, named after what it holds.
 * @example exportKey('X-1', { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-31' }) // 'exports/X-1/fsma204-2026-03-01-2026-03-31.csv'
 */
export function exportKey(exportId: string, r: Pick<ExportRequest, 'format' | 'from' | 'to' | 'gtin' | 'lot'>): string {
  const { keyPrefix, extension } = EXPORT_FORMAT_INFO[r.format];
  const scope = [r.gtin, r.lot].filter((s): s is string => s !== undefined).map((s) => s.replace(/[^A-Za-z0-9._-]/g, '_'));
  return `exports/${exportId}/${[keyPrefix, r.from, r.to, ...scope].join('-')}.${extension}`;
}
export const manifestKeyOf = (key: string) => `${key}.manifest.json`;

const QUEUE_REFUSED = 'the export queue did not take the job';

/**
 * An export id from the caller's Idempotency-Key (scoped to who asks, so two callers' keys never meet), else a fresh one.
 * @example exportIdFor('monthly-2026-03', 'arn:aws:iam::1:user/ana', randomUUID) // 'X-' + 20 hex digits, the same every time
 */
export const exportIdFor = (idempotencyKey: string | undefined, requestedBy: string, newToken: () => string) =>
  `X-${(idempotencyKey ? hashOf({ requestedBy, idempotencyKey }) : newToken().replace(/-/g, '')).slice(0, 20)}`;

/**
 * Record an export job and queue it; the worker does the rest. A job the queue refused is marked failed (503). With an
 * Idempotency-Key a retried request gets the same job back (queued again if the queue had refused it, or if an attempt
 * handed it back after a transient error, in case its message ran out of deliveries), and the same key with another
 * request is a 409.
 */
export async function requestExport(d: ExportDeps, input: ExportRequest, requestedBy: string, idempotencyKey?: string): Promise<ExportJob> {
  const now = d.clock.now().toISOString();
  const exportId = exportIdFor(idempotencyKey, requestedBy, d.newToken);
  const key = exportKey(exportId, input);
  const job: ExportJob = {
    exportId,
    status: 'pending',
    format: input.format,
    request: input,
    requestedBy,
    createdAt: now,
    updatedAt: now,
    bucket: d.exportFiles.bucket,
    key,
    manifestKey: manifestKeyOf(key),
    attempts: 0,
  };
  if (!(await d.exports.create(job))) {
    const existing = idempotencyKey === undefined ? undefined : await d.exports.get(exportId);
    if (!existing) throw new AppError('conflict', `Export ${exportId} exists already; try again`);
    if (hashOf(existing.request) !== hashOf(input))
      throw new AppError('conflict', 'This Idempotency-Key was already used for another export request', [
        { path: 'Idempotency-Key', message: `names export ${exportId}, which asked for something else` },
      ]);
    if (handedBack(existing)) return queue(d, existing);
    if (!(existing.status === 'failed' && existing.error === QUEUE_REFUSED)) return existing;
    const again: ExportJob = { ...existing, status: 'pending', updatedAt: now };
    delete again.error;
    await d.exports.save(again);
    return queue(d, again);
  }
  return queue(d, job);
}

/** An attempt met a transient error and left the job pending for the next delivery (see runExport). */
const handedBack = (j: ExportJob) => j.status === 'pending' && j.attempts > 0;

async function queue(d: ExportDeps, job: ExportJob): Promise<ExportJob> {
  try {
    await d.queue.send(job.exportId);
  } catch (cause) {
    await d.exports.save({ ...job, status: 'failed', error: QUEUE_REFUSED, updatedAt: d.clock.now().toISOString() });
    throw new AppError('busy', 'The export queue did not take the job; try again', [], { cause });
  }
  return job;
}

export type ExportView = Pick<
  ExportJob,
  | 'exportId'
  | 'status'
  | 'format'
  | 'request'
  | 'requestedBy'
  | 'createdAt'
  | 'completedAt'
  | 'rowCount'
  | 'bytes'
  | 'bucket'
  | 'key'
  | 'error'
  | 'kdeGaps'
> & {
  sha256: string | null;
  url?: string;
  urlExpiresAt?: string;
  manifestKey?: string;
  manifest?: ExportManifest;
};

/** GET /exports/{id}: the job, and once complete a presigned download URL (15 minutes) and the manifest. */
export async function exportView(d: Pick<ExportDeps, 'exports' | 'exportFiles' | 'clock'>, exportId: string): Promise<ExportView> {
  const job = await d.exports.get(exportId);
  if (!job) throw new AppError('export_not_found', `Export ${exportId} not found`, [{ path: 'exportId', message: 'unknown export' }]);
  const view: ExportView = {
    exportId: job.exportId,
    status: job.status,
    format: job.format,
    request: job.request,
    requestedBy: job.requestedBy,
    createdAt: job.createdAt,
    bucket: job.bucket,
    key: job.key,
    sha256: job.sha256 ?? null,
    ...(job.error ? { error: job.error } : {}),
  };
  if (job.status !== 'complete') return view;
  const filename = job.key.split('/').at(-1) ?? job.key;
  return {
    ...view,
    ...(job.completedAt ? { completedAt: job.completedAt } : {}),
    ...(job.rowCount !== undefined ? { rowCount: job.rowCount } : {}),
    ...(job.kdeGaps !== undefined ? { kdeGaps: job.kdeGaps } : {}),
    ...(job.bytes !== undefined ? { bytes: job.bytes } : {}),
    url: await d.exportFiles.presignGet(job.key, URL_TTL_SECONDS, filename),
    urlExpiresAt: new Date(d.clock.now().getTime() + URL_TTL_SECONDS * 1000).toISOString(),
    manifestKey: job.manifestKey,
    ...(await d.exportFiles.readJson<ExportManifest>(job.manifestKey).then((m) => (m ? { manifest: m } : {}))),
  };
}

/** The UTC days whose entries can hold events of local dates `from`..`to`: offsets run -12:00..+14:00, so one day either side.
 * @example utcDaysFor('2026-03-01', '2026-03-02') // ['2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03']
 */
export function utcDaysFor(from: string, to: string): string[] {
  const out: string[] = [];
  const start = Date.parse(`${from}T00:00:00Z`) - 86_400_000;
  const end = Date.parse(`${to}T00:00:00Z`) + 86_400_000;
  for (let t = start; t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
