import { z } from 'zod';
import type { Clock } from './clock.js';
import { q3 } from './ledger.js';
import type { NoticeChannel } from './notice-channels.js';
import { decodeCursor, encodeCursor, PAGE_LIMIT } from './paging.js';
import { checksNeeded, effectiveness } from './recall-status.js';
import { type RecallStore, requireRecall } from './recall-store.js';

type Consignee = {
  siteId: string;
  kind: string;
  name: string;
  notifiedAt: string | null;
  /** the first channel that reached it, null when none did */
  channel: NoticeChannel | null;
  /** every channel that carried a notice or follow-up to it */
  channels: NoticeChannel[];
  followUps: number;
  escalated: boolean;
  status: string;
};

export type RecallReport = {
  recallId: string;
  status: string;
  classification: string;
  depth: string | null;
  effectivenessLevel: string | null;
  issuedAt: string;
  reportedAt: string;
  estimatedCompletion: string | null;
  closedAt: string | null;
  consigneesNotified: { count: number; items: Consignee[] };
  notNotifiable: { count: number; items: { siteId: string; kind: string; name: string; reason: string }[] };
  responded: {
    count: number;
    items: {
      siteId: string;
      kind: string;
      respondedAt: string;
      quantityOnHand: number;
      quantityRemoved: number;
      furtherDistributed?: boolean;
      note?: string;
    }[];
  };
  notResponded: { count: number; items: Omit<Consignee, 'channel' | 'channels' | 'status'>[] };
  quantityReturnedOrCorrected: number;
  quantityOnHandReported: number;
  unitsAtRisk: number;
  effectivenessPercent: number;
  effectivenessChecks: {
    count: number;
    results: Record<'received-and-complied' | 'received-not-complied' | 'not-received', number>;
    required: number;
    stillNeeded: number;
    items: { siteId: string; method: string; result: string; checkedAt: string; note?: string }[];
  };
  /** when there are more consignees than one page: the `cursor` of the next page (every count is over all of them) */
  nextCursor?: string;
};

const ReportCursor = z.strictObject({ a: z.string() });

/**
 * GET /recalls/{id}/report: the figures of a 21 CFR 7.53 recall status report. Every count covers the whole recall;
 * the item lists cover one page of consignees (by site id, `limit` of them, default and at most 1000), so that a
 * recall reaching 100,000 customers answers in pages far below Lambda's 6 MB; `nextCursor` names the next page.
 */
export async function recallReport(
  d: { recalls: RecallStore; clock: Clock },
  recallId: string,
  page: { limit?: number; cursor?: string } = {},
): Promise<RecallReport> {
  const after = page.cursor === undefined ? undefined : decodeCursor(ReportCursor, page.cursor).a;
  const limit = page.limit ?? PAGE_LIMIT;
  const r = await fullReport(d, recallId);
  // Every consignee is notified, not notifiable or (an acknowledgement without a notice) responded only.
  const everyone = [...r.consigneesNotified.items, ...r.notNotifiable.items, ...r.responded.items].map((x) => x.siteId);
  const sites = [...new Set(everyone)].filter((id) => after === undefined || id > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const shown = new Set(sites.slice(0, limit));
  const on = <T extends { siteId: string }>(items: T[]) => items.filter((x) => shown.has(x.siteId));
  return {
    ...r,
    consigneesNotified: { count: r.consigneesNotified.count, items: on(r.consigneesNotified.items) },
    notNotifiable: { count: r.notNotifiable.count, items: on(r.notNotifiable.items) },
    responded: { count: r.responded.count, items: on(r.responded.items) },
    notResponded: { count: r.notResponded.count, items: on(r.notResponded.items) },
    effectivenessChecks: { ...r.effectivenessChecks, items: on(r.effectivenessChecks.items) },
    ...(sites.length > limit ? { nextCursor: encodeCursor({ a: sites[limit - 1] }) } : {}),
  };
}

/** The report with every item of every list. */
async function fullReport(d: { recalls: RecallStore; clock: Clock }, recallId: string): Promise<RecallReport> {
  const r = await requireRecall(d.recalls, recallId);
  const [notices, acks, checks] = await Promise.all([d.recalls.notices(recallId), d.recalls.acks(recallId), d.recalls.checks(recallId)]);
  const acked = new Map(acks.map((a) => [a.siteId, a]));
  const kindOf = new Map(notices.map((n) => [n.siteId, n.kind]));
  const all: Consignee[] = notices.map((n) => {
    const used = [...new Set(n.used ?? (n.firstPublishedAt ? [n.channel] : []))];
    return {
      siteId: n.siteId,
      kind: n.kind,
      name: n.name,
      notifiedAt: n.firstPublishedAt ?? null,
      channel: used[0] ?? null,
      channels: used,
      followUps: n.followUp,
      escalated: n.escalated ?? false,
      status: n.status,
    };
  });
  const reachable = all.filter((n) => n.status !== 'unreachable');
  const results = { 'received-and-complied': 0, 'received-not-complied': 0, 'not-received': 0 };
  for (const c of checks) results[c.result]++;
  const need = checksNeeded(r.effectivenessLevel, r.noticesTotal, checks);
  return {
    recallId,
    status: r.status,
    classification: r.classification,
    depth: r.depth ?? null,
    effectivenessLevel: r.effectivenessLevel ?? null,
    issuedAt: r.issuedAt,
    reportedAt: d.clock.now().toISOString(),
    estimatedCompletion: r.estimatedCompletion ?? null,
    closedAt: r.closedAt ?? null,
    consigneesNotified: { count: reachable.filter((n) => n.notifiedAt).length, items: reachable },
    notNotifiable: {
      count: all.length - reachable.length,
      items: all
        .filter((n) => n.status === 'unreachable')
        .map((n) => ({ siteId: n.siteId, kind: n.kind, name: n.name, reason: 'no channel: no contact email or phone on file for this customer' })),
    },
    responded: {
      count: acks.length,
      items: acks.map((a) => ({
        siteId: a.siteId,
        kind: kindOf.get(a.siteId) ?? 'unknown',
        respondedAt: a.receivedAt,
        quantityOnHand: a.quantityOnHand,
        quantityRemoved: a.quantityRemoved,
        ...(a.furtherDistributed !== undefined ? { furtherDistributed: a.furtherDistributed } : {}),
        ...(a.note ? { note: a.note } : {}),
      })),
    },
    notResponded: {
      count: all.filter((n) => !acked.has(n.siteId)).length,
      items: all.filter((n) => !acked.has(n.siteId)).map(({ channel: _c, channels: _cs, status: _s, ...n }) => n),
    },
    quantityReturnedOrCorrected: q3(acks.reduce((s, a) => s + a.quantityRemoved, 0)),
    quantityOnHandReported: q3(acks.reduce((s, a) => s + a.quantityOnHand, 0)),
    unitsAtRisk: r.unitsAtRisk,
    effectivenessPercent: effectiveness(r.unitsAtRisk, acks, r.noticesTotal).percent,
    effectivenessChecks: {
      count: checks.length,
      results,
      required: need.required,
      stillNeeded: need.stillNeeded,
      items: checks.map((c) => ({
        siteId: c.siteId,
        method: c.method,
        result: c.result,
        checkedAt: c.checkedAt,
        ...(c.note ? { note: c.note } : {}),
      })),
    },
  };
}
