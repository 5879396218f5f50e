/**
 * The shapes the console reads. They come from the API's own modules (type-only imports: nothing of the server is
 * bundled), so a change to a response type breaks the console's typecheck rather than the page. Where contract v2 names
 * fields that the API of this branch does not return yet (recall fan-out counters, FDA requests, KDE gaps, bins,
 * at-risk stock), they are added as optional, exactly as CONTRACT.md spells them, and every page copes with their absence.
 */

import type { ExpiryLine, ExpiryReport } from '../../../lib/domain/expiry.js';
import type { ExportRequest, ExportView } from '../../../lib/domain/exports.js';
import type { LedgerEntry, LotKey } from '../../../lib/domain/ledger.js';
import type { ExportSummary, ListAnswer, RecallSummary } from '../../../lib/domain/listings.js';
import type { LotReport } from '../../../lib/domain/lot-report.js';
import type { LotView, SerialView } from '../../../lib/domain/lots.js';
import type { Site } from '../../../lib/domain/master-data.js';
import type { RecallAnswer } from '../../../lib/domain/recall-answer.js';
import type { RecallReport } from '../../../lib/domain/recall-report.js';
import type { AckInput, RecallInput } from '../../../lib/domain/recall-request.js';
import type { RecallStatus } from '../../../lib/domain/recall-status.js';
import type { TraceResult, TraceSite } from '../../../lib/domain/trace.js';

export type {
  AckInput,
  ExportRequest,
  ExportSummary,
  ExpiryLine,
  LedgerEntry,
  LotKey,
  LotReport,
  RecallAnswer,
  RecallInput,
  RecallReport,
  RecallSummary,
  Site,
  TraceResult,
  TraceSite,
};

/** Contract v2: balances per site gain `bins` where bins are used. */
export type Lot = Omit<LotView, 'balances'> & {
  balances: (LotView['balances'][number] & { bins?: { bin: string; quantity: number }[] })[];
  /** contract v2 (hot lots): accepted movements not yet chained into the ledger */
  unchained?: number;
};
export type Serial = SerialView;

/** GET /recalls and GET /exports (extensions): newest first, a page at a time. */
export type RecallList = ListAnswer<RecallSummary>;
export type ExportList = ListAnswer<ExportSummary>;

export type LedgerPage = { items: LedgerEntry[]; nextCursor?: string };
export type VerifyLot = { ok: boolean; entries: number; head: string | null; problem?: string };

/** Contract v2 notice counters; the API before the recall fan-out returns `published`, `pending` and `followUps`. */
export type NoticeCounters = Partial<{
  total: number;
  written: number;
  published: number;
  delivered: number;
  acknowledged: number;
  failed: number;
  pending: number;
  followUps: number;
}>;
export type Recall = Omit<RecallStatus, 'notices' | 'status'> & {
  status: RecallStatus['status'] | 'notifying' | 'closed' | (string & {});
  notices: NoticeCounters;
  estimatedCompletion?: string;
  closedAt?: string;
};
export type EffectivenessCheck = {
  siteId: string;
  method: 'phone' | 'visit' | 'email' | 'other';
  result: 'received-and-complied' | 'received-not-complied' | 'not-received';
  checkedAt: string;
  note?: string;
};
export type Report = RecallReport;

export type AtRiskLine = {
  gtin: string;
  lot: string;
  siteId: string;
  expiry: string;
  daysLeft: number;
  onHand: number;
  dailySales: number;
  projectedUnsold: number;
};
export type Expiry = ExpiryReport & { atRisk?: AtRiskLine[] };

export type KdeGap = { eventId: string; cte: string; gtin: string; lot: string; missing: string[]; why: string };
export type ExportJob = ExportView & { kdeGaps?: number | { count?: number } };

/** Contract v2: FDA requests (§1.1455(c)), as GET /fda-requests[/{id}] answer them (lib/domain/fda-requests.ts). */
export type FdaRequest = {
  requestId: string;
  reference: string;
  requestedAt: string;
  requestedBy: { name: string; agency?: string; email?: string; phone?: string };
  from: string;
  to: string;
  gtins?: string[];
  lots?: LotKey[];
  dueBy: string;
  timeLeft?: string | number;
  status: 'preparing' | 'ready' | 'signed-off' | 'sent' | (string & {});
  files?: { name: string; sha256: string; bytes: number }[];
  kdeGaps?: number | null;
  url?: string;
  version?: number;
  /** the package version being built after a sign-off (the request is signed-off meanwhile) */
  building?: number;
  history?: { at: string; action: string; by?: string; detail?: string; version?: number }[];
  /** the latest sign-off (each one also builds a new package version, listed in history) */
  signOff?: { name: string; title: string; at: string };
  sent?: { sentAt: string; channel: string; note?: string };
  error?: string;
};

/** Contract v2: GET /ack/{token}. */
export type AckNotice = {
  recallId: string;
  classification: string;
  urgent: boolean;
  title: string;
  reason: string;
  hazard?: string;
  instructions?: string;
  products: { gtin: string; lot: string; description?: string | null; expiry?: string | null; quantity?: number }[];
  recipient: { name: string; kind: string };
  acknowledged?: unknown;
};

export const kdeGapCount = (g: ExportJob['kdeGaps'] | FdaRequest['kdeGaps']): number | undefined =>
  typeof g === 'number'
    ? g
    : g && typeof g === 'object'
      ? ((g as { count?: number; total?: number }).count ?? (g as { total?: number }).total)
      : undefined;
