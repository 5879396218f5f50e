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
/** What a list route asks: a page size (default LIST_LIMIT), the cursor of the page before, a status. */
export type ListRequest<S extends string> = { limit?: number; cursor?: string; status?: S };

/** One page of a list as the API answers it: the store's page in summaries, the cursor where it stopped. */
async function answerPage<T, S extends string, V>(
  list: (q: ListQuery<S>) => Promise<StorePage<T>>,
  q: ListRequest<S>,
  summary: (item: T) => V,
): Promise<ListAnswer<V>> {
  const after = readListCursor(q.cursor);
  const page = await list({ limit: q.limit ?? LIST_LIMIT, ...(after === undefined ? {} : { after }), ...(q.status ? { status: q.status } : {}) });
  return { items: page.items.map(summary), ...(page.last ? { nextCursor: listCursor(page.last) } : {}) };
}

/** GET /recalls?status=&limit=&cursor=: recalls newest first. */
export const listRecalls = (d: { recalls: RecallLister }, q: ListRequest<RecallRecord['status']>) =>
  answerPage((x) => d.recalls.listRecalls(x), q, recallSummary);

/** GET /exports?status=&limit=&cursor=: exports newest first (FDA request packages' own files included). */
export const listExports = (d: { exports: ExportLister }, q: ListRequest<ExportStatus>) => answerPage((x) => d.exports.list(x), q, exportSummary);
