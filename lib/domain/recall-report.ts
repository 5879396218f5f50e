import type { Clock } from './clock.js';
import { q3 } from './ledger.js';
import type { NoticeChannel } from './notice-channels.js';
import { effectiveness } from './recall-status.js';
import { type RecallStore, requireRecall } from './recall-store.js';

export type RecallReport = {
  recallId: string;
  classification: string;
  depth: string | null;
  effectivenessLevel: string | null;
  issuedAt: string;
  reportedAt: string;
  consigneesNotified: {
    count: number;
    items: { siteId: string; kind: string; name: string; notifiedAt: string | null; channel: NoticeChannel; followUps: number }[];
  };
  responded: {
    count: number;
    items: { siteId: string; kind: string; respondedAt: string; quantityOnHand: number; quantityRemoved: number; note?: string }[];
  };
  notResponded: { count: number; items: { siteId: string; kind: string; name: string; notifiedAt: string | null; followUps: number }[] };
  quantityReturnedOrCorrected: number;
  quantityOnHandReported: number;
  unitsAtRisk: number;
  effectivenessPercent: number;
};

/** GET /recalls/{id}/report: the figures of a 21 CFR 7.53 recall status report, each consignee with the channel its notice went through. */
export async function recallReport(d: { recalls: RecallStore; clock: Clock }, recallId: string): Promise<RecallReport> {
  const r = await requireRecall(d.recalls, recallId);
  const [notices, acks] = await Promise.all([d.recalls.notices(recallId), d.recalls.acks(recallId)]);
  const acked = new Map(acks.map((a) => [a.siteId, a]));
  const kindOf = new Map(notices.map((n) => [n.siteId, n.kind]));
  const notified = notices.map((n) => ({
    siteId: n.siteId,
    kind: n.kind,
    name: n.name,
    notifiedAt: n.firstPublishedAt ?? null,
    channel: n.channel,
    followUps: n.followUp,
  }));
  const eff = effectiveness(r.unitsAtRisk, acks, notices.length);
  return {
    recallId,
    classification: r.classification,
    depth: r.depth ?? null,
    effectivenessLevel: r.effectivenessLevel ?? null,
    issuedAt: r.issuedAt,
    reportedAt: d.clock.now().toISOString(),
    consigneesNotified: { count: notified.filter((n) => n.notifiedAt).length, items: notified },
    responded: {
      count: acks.length,
      items: acks.map((a) => ({
        siteId: a.siteId,
        kind: kindOf.get(a.siteId) ?? 'unknown',
        respondedAt: a.receivedAt,
        quantityOnHand: a.quantityOnHand,
        quantityRemoved: a.quantityRemoved,
        ...(a.note ? { note: a.note } : {}),
      })),
    },
    notResponded: {
      count: notified.filter((n) => !acked.has(n.siteId)).length,
      items: notified.filter((n) => !acked.has(n.siteId)).map(({ channel: _c, ...n }) => n),
    },
    quantityReturnedOrCorrected: q3(acks.reduce((s, a) => s + a.quantityRemoved, 0)),
    quantityOnHandReported: q3(acks.reduce((s, a) => s + a.quantityOnHand, 0)),
    unitsAtRisk: r.unitsAtRisk,
    effectivenessPercent: eff.percent,
  };
}
