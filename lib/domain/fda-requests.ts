import { z } from 'zod';
import type { Clock } from './clock.js';
import { daysBetween } from './dates.js';
import { AppError } from './errors.js';
import { MAX_EXPORT_DAYS } from './exports.js';
import { DaySchema, GtinSchema, InstantSchema, LotSchema, TextSchema } from './ids.js';

/** The 24-hour workflow of 21 CFR 1.1455(c) (CONTRACT.md, FDA requests). */
export const FDA_DEADLINE_HOURS = 24;

const text = (max: number) => TextSchema(max, { trim: true });

export const FdaRequestInput = z
  .strictObject({
    reference: text(100),
    requestedAt: InstantSchema,
    requestedBy: z.strictObject({
      name: text(200),
      agency: text(200).optional(),
      email: z.email('must be an email address').max(254).optional(),
      phone: text(40).optional(),
    }),
    from: DaySchema,
    to: DaySchema,
    gtins: z.array(GtinSchema).min(1, 'must hold 1-100 GTINs when given').max(100, 'at most 100 GTINs').optional(),
    lots: z
      .array(z.strictObject({ gtin: GtinSchema, lot: LotSchema }))
      .min(1, 'must hold 1-500 lots when given')
      .max(500, 'at most 500 lots')
      .optional(),
  })
  .superRefine((r, ctx) => {
    if (r.to < r.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    else if (daysBetween(r.from, r.to) > MAX_EXPORT_DAYS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the range may cover at most ${MAX_EXPORT_DAYS} days` });
  });
export type FdaRequestInput = z.infer<typeof FdaRequestInput>;

export const SignOffInput = z.strictObject({ name: text(200), title: text(200) });
export const SentInput = z.strictObject({ sentAt: InstantSchema, channel: text(100), note: text(1000).optional() });

export type FdaStatus = 'preparing' | 'ready' | 'signed-off' | 'sent' | 'failed';
export type PackageFile = { name: string; sha256: string; bytes: number };
export type HistoryItem = {
  at: string;
  action: 'requested' | 'ready' | 'signed-off' | 'sent' | 'failed';
  by?: string;
  detail?: string;
  version?: number;
};

/** The request record (item `EXPORT#FDA#{id}`). */
export type FdaRequest = FdaRequestInput & {
  requestId: string;
  dueBy: string;
  status: FdaStatus;
  createdAt: string;
  updatedAt: string;
  /** the instant of the one consistent read every package version is built from */
  cutAt: string;
  /** the package version built last (1, then one more per sign-off) */
  version: number;
  /** the version being built after a sign-off (the request is `signed-off` meanwhile; `url` is still the last one's) */
  building?: number;
  bucket: string;
  packageKey?: string;
  packageSha256?: string;
  files?: PackageFile[];
  kdeGaps?: number;
  signOff?: { name: string; title: string; at: string };
  sent?: { sentAt: string; channel: string; note?: string };
  history: HistoryItem[];
  attempts: number;
  error?: string;
};

export interface FdaRequestStore {
  create(r: FdaRequest): Promise<boolean>;
  get(id: string): Promise<FdaRequest | undefined>;
  save(r: FdaRequest): Promise<void>;
  /** save `r` only if the stored record was last updated at `updatedAt`; false when another write came first */
  replace(r: FdaRequest, updatedAt: string): Promise<boolean>;
  list(): Promise<FdaRequest[]>;
}
export interface FdaQueue {
  sendFdaRequest(requestId: string): Promise<void>;
}

export type FdaDeps = { fda: FdaRequestStore; fdaQueue: FdaQueue; exportFiles: { bucket: string }; clock: Clock; newToken: () => string };

/** Where package version `v` of a request goes in the Object-Lock bucket. */
export const packageKeyOf = (requestId: string, version: number) => `fda-requests/${requestId}/v${version}/package.zip`;

const notFound = (id: string) =>
  new AppError('fda_request_not_found', `FDA request ${id} not found`, [{ path: 'requestId', message: 'unknown FDA request' }]);

/**
 * POST /fda-requests: record the request (due 24 hours after `requestedAt`), fix the instant its one consistent read
 * is taken at, and queue the package. 201 with the record.
 * @example await requestFda(d, { reference: 'FDA-2026-17', requestedAt: '2026-03-02T09:00:00-05:00', requestedBy: { name: 'Inspector' }, from: '2026-02-01', to: '2026-03-01' })
 */
export async function requestFda(d: FdaDeps, input: FdaRequestInput): Promise<FdaRequest> {
  const now = d.clock.now().toISOString();
  const requestId = `FDA-${d.newToken().replace(/-/g, '').slice(0, 16)}`;
  const r: FdaRequest = {
    ...input,
    requestId,
    dueBy: new Date(Date.parse(input.requestedAt) + FDA_DEADLINE_HOURS * 3_600_000).toISOString(),
    status: 'preparing',
    createdAt: now,
    updatedAt: now,
    cutAt: now,
    version: 0,
    bucket: d.exportFiles.bucket,
    history: [{ at: now, action: 'requested', by: input.requestedBy.name, detail: input.reference }],
    attempts: 0,
  };
  if (!(await d.fda.create(r))) throw new AppError('conflict', `FDA request ${requestId} exists already; try again`);
  try {
    await d.fdaQueue.sendFdaRequest(requestId);
  } catch (cause) {
    await d.fda.save({ ...r, status: 'failed', error: 'the export queue did not take the request', updatedAt: d.clock.now().toISOString() });
    throw new AppError('busy', 'The export queue did not take the request; try again', [], { cause });
  }
  return r;
}

/**
 * POST /fda-requests/{id}/sign-off: who checked the package. The request is `signed-off` at once; a new package
 * version, built after the answer (`building` names it meanwhile), carries the sign-off in its manifest and README.
 */
export async function signOffFda(
  d: Pick<FdaDeps, 'fda' | 'fdaQueue' | 'clock'>,
  requestId: string,
  by: z.infer<typeof SignOffInput>,
): Promise<FdaRequest> {
  const r = await d.fda.get(requestId);
  if (!r) throw notFound(requestId);
  if (r.status !== 'ready' && r.status !== 'signed-off')
    throw new AppError('invalid_state', `FDA request ${requestId} is ${r.status}; only a ready package can be signed off`, [
      { path: 'status', message: `is ${r.status}` },
    ]);
  const now = d.clock.now().toISOString();
  // Signed off at once (a `sent` may follow right away); the version that carries the sign-off builds after it.
  const next: FdaRequest = {
    ...r,
    status: 'signed-off',
    building: r.version + 1,
    signOff: { ...by, at: now },
    updatedAt: now,
    history: [...r.history, { at: now, action: 'signed-off', by: `${by.name}, ${by.title}` }],
  };
  await d.fda.save(next);
  await d.fdaQueue.sendFdaRequest(requestId);
  return next;
}

/** POST /fda-requests/{id}/sent: when and how the package went to FDA. */
export async function markFdaSent(d: Pick<FdaDeps, 'fda' | 'clock'>, requestId: string, sent: z.infer<typeof SentInput>): Promise<FdaRequest> {
  const r = await d.fda.get(requestId);
  if (!r) throw notFound(requestId);
  if (r.status !== 'ready' && r.status !== 'signed-off' && r.status !== 'sent')
    throw new AppError('invalid_state', `FDA request ${requestId} is ${r.status}; its package is not ready to send`, [
      { path: 'status', message: `is ${r.status}` },
    ]);
  const now = d.clock.now().toISOString();
  const next: FdaRequest = {
    ...r,
    status: 'sent',
    sent,
    updatedAt: now,
    history: [...r.history, { at: now, action: 'sent', detail: `${sent.channel} at ${sent.sentAt}${sent.note ? `: ${sent.note}` : ''}` }],
  };
  await d.fda.save(next);
  return next;
}

/**
 * The record as GET answers it: with the time left to the deadline (seconds; negative once overdue), and `files` and
 * `kdeGaps` always there (`[]` and `null` until the first package is built).
 */
export const fdaView = (r: FdaRequest, now: Date) => {
  const { attempts: _a, ...rest } = r;
  return { ...rest, files: r.files ?? [], kdeGaps: r.kdeGaps ?? null, timeLeft: Math.round((Date.parse(r.dueBy) - now.getTime()) / 1000) };
};

/** GET /fda-requests: open ones first (by deadline), then the sent ones (latest first). */
export async function listFda(d: Pick<FdaDeps, 'fda' | 'clock'>) {
  const all = await d.fda.list();
  const open = all.filter((r) => r.status !== 'sent').sort((a, b) => (a.dueBy < b.dueBy ? -1 : a.dueBy > b.dueBy ? 1 : 0));
  const sent = all.filter((r) => r.status === 'sent').sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
  const now = d.clock.now();
  return { items: [...open, ...sent].map((r) => fdaView(r, now)) };
}

export const getFda = async (d: Pick<FdaDeps, 'fda' | 'clock'>, requestId: string) => {
  const r = await d.fda.get(requestId);
  if (!r) throw notFound(requestId);
  return fdaView(r, d.clock.now());
};
