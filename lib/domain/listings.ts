import { z } from 'zod';
import type { ExportJob, ExportStatus } from './exports.js';
import { decodeCursor, encodeCursor } from './paging.js';
import type { RecallRecord } from './recall-store.js';

/*
 * GET /recalls and GET /exports (extensions): what was started, newest first, a page at a time, so that a console user
 * (or a script) finds a recall or an export without having kept its id. The lists live in GSI1, one partition each
 * (`RECALLS`, `EXPORTS`), sorted by `{issuedAt or createdAt}#{id}`: a recall or an export is started by a person, a few
 * a day, far below one partition's 1,000 writes a second.
 */

/** One page of a list as the store returns it: `last` is where the next page starts, absent at the end. */
export type StorePage<T> = { items: T[]; last?: string };
export type ListQuery<S extends string> = { limit: number; after?: string; status?: S };

export interface RecallLister {
  listRecalls(q: ListQuery<RecallRecord['status']>): Promise<StorePage<RecallRecord>>;
}
export interface ExportLister {
  list(q: ListQuery<ExportStatus>): Promise<StorePage<ExportJob>>;
}

/** Default page of the lists; `limit` may ask for up to 1,000. */
export const LIST_LIMIT = 50;

/** The position a list cursor holds: the sort key of the last item shown. */
const ListPosition = z.strictObject({ after: z.string().min(1).max(300) });

export const listCursor = (last: string): string => encodeCursor({ after: last });
export const readListCursor = (cursor: string | undefined): string | undefined =>
  cursor === undefined ? undefined : decodeCursor(ListPosition, cursor).after;

/** A recall in a list: what it is, its state and its reach; `GET /recalls/{id}` has its progress. */
export type RecallSummary = Pick<
  RecallRecord,
  'recallId' | 'status' | 'mock' | 'classification' | 'reason' | 'lots' | 'issuedAt' | 'requestedBy' | 'noticesTotal' | 'customers' | 'unitsAtRisk'
> &
  Partial<Pick<RecallRecord, 'depth' | 'estimatedCompletion' | 'closedAt'>> & { affectedLots: number };

export const recallSummary = (r: RecallRecord): RecallSummary => ({
  recallId: r.recallId,
  status: r.status,
  mock: r.mock,
  classification: r.classification,
  reason: r.reason,
  lots: r.lots,
  affectedLots: r.affectedLots.length,
  issuedAt: r.issuedAt,
  requestedBy: r.requestedBy,
  noticesTotal: r.noticesTotal,
  customers: r.customers,
  unitsAtRisk: r.unitsAtRisk,
  ...(r.depth ? { depth: r.depth } : {}),
  ...(r.estimatedCompletion ? { estimatedCompletion: r.estimatedCompletion } : {}),
  ...(r.closedAt ? { closedAt: r.closedAt } : {}),
});

/** An export in a list; `GET /exports/{id}` adds the download link and the manifest once it is complete. */
export type ExportSummary = Pick<ExportJob, 'exportId' | 'status' | 'format' | 'request' | 'requestedBy' | 'createdAt'> &
  Partial<Pick<ExportJob, 'completedAt' | 'rowCount' | 'bytes' | 'sha256' | 'kdeGaps' | 'error'>>;

export const exportSummary = (j: ExportJob): ExportSummary => ({
  exportId: j.exportId,
  status: j.status,
  format: j.format,
  request: j.request,
  requestedBy: j.requestedBy,
  createdAt: j.createdAt,
  ...(j.completedAt ? { completedAt: j.completedAt } : {}),
  ...(j.rowCount !== undefined ? { rowCount: j.rowCount } : {}),
  ...(j.bytes !== undefined ? { bytes: j.bytes } : {}),
  ...(j.sha256 ? { sha256: j.sha256 } : {}),
  ...(j.kdeGaps !== undefined ? { kdeGaps: j.kdeGaps } : {}),
  ...(j.error ? { error: j.error } : {}),
});

export type ListAnswer<T> = { items: T[]; nextCursor?: string };

/** GET /recalls?status=&limit=&cursor=: recalls newest first. */
export async function listRecalls(
  d: { recalls: RecallLister },
  q: { limit?: number; cursor?: string; status?: RecallRecord['status'] },
): Promise<ListAnswer<RecallSummary>> {
  const page = await d.recalls.listRecalls({ limit: q.limit ?? LIST_LIMIT, ...after(q.cursor), ...(q.status ? { status: q.status } : {}) });
  return { items: page.items.map(recallSummary), ...(page.last ? { nextCursor: listCursor(page.last) } : {}) };
}

/** GET /exports?status=&limit=&cursor=: exports newest first (FDA request packages' own files included). */
export async function listExports(
  d: { exports: ExportLister },
  q: { limit?: number; cursor?: string; status?: ExportStatus },
): Promise<ListAnswer<ExportSummary>> {
  const page = await d.exports.list({ limit: q.limit ?? LIST_LIMIT, ...after(q.cursor), ...(q.status ? { status: q.status } : {}) });
  return { items: page.items.map(exportSummary), ...(page.last ? { nextCursor: listCursor(page.last) } : {}) };
}

const after = (cursor: string | undefined) => {
  const a = readListCursor(cursor);
  return a === undefined ? {} : { after: a };
};
