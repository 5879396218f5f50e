import type { MasterDataStore } from './master-data.js';
import { NEW_NOTICE_CHANNEL } from './notice-channels.js';
import type { NoticeAttributes, NoticeMessage } from './notice-message.js';
import { type BlastRadius, unitsAtRiskOf } from './recall-blast-radius.js';
import type { Notice, RecallRecord } from './recall-store.js';

/**
 * One pending notice per affected site, named after the site's master record (its id when it has none).
 * @example await noticesFor(d, record, radius, now) // [{ siteId: 'store-1', status: 'pending', followUp: 0, ... }]
 */
export async function noticesFor(
  d: { master: Pick<MasterDataStore, 'getSites'> },
  recallId: string,
  radius: Pick<BlastRadius, 'sites' | 'perSite'>,
  now: string,
): Promise<Notice[]> {
  const siteRecords = await d.master.getSites(radius.sites.map((s) => s.siteId));
  return radius.sites.map((s) => ({
    recallId,
    siteId: s.siteId,
    kind: s.kind,
    name: siteRecords.get(s.siteId)?.name ?? s.siteId,
    channel: NEW_NOTICE_CHANNEL,
    status: 'pending',
    followUp: 0,
    quantity: unitsAtRiskOf(s),
    received: s.received,
    products: radius.perSite.get(s.siteId) ?? [],
    createdAt: now,
    attempts: 0,
  }));
}

/** The body of a notice. */
export function noticeMessage(
  r: Pick<RecallRecord, 'recallId' | 'classification' | 'reason' | 'hazard' | 'instructions' | 'issuedAt'>,
  n: Notice,
): NoticeMessage {
  return {
    type: 'recall.notice',
    noticeId: noticeIdOf(n),
    recallId: r.recallId,
    classification: r.classification,
    // Class I: a reasonable probability of serious adverse health consequences or death (21 CFR 7.3(m)).
    urgent: r.classification === 'I',
    reason: r.reason,
    hazard: r.hazard ?? null,
    instructions: r.instructions ?? null,
    issuedAt: r.issuedAt,
    ...(n.followUp > 0 ? { followUp: n.followUp } : {}),
    recipient: { siteId: n.siteId, kind: n.kind, name: n.name },
    products: n.products,
    acknowledge: { method: 'POST', path: `/recalls/${r.recallId}/acknowledgements` },
  };
}

/** Stable per (recall, site, follow-up): consumers deduplicate on it. */
export const noticeIdOf = (n: Pick<Notice, 'recallId' | 'siteId' | 'followUp'>) =>
  `${n.recallId}:${n.siteId}${n.followUp > 0 ? `:followup-${n.followUp}` : ''}`;

/** The attributes a notice is routed by. */
export const noticeAttributes = (r: Pick<RecallRecord, 'recallId' | 'classification'>, n: Pick<Notice, 'siteId' | 'kind'>): NoticeAttributes => ({
  audience: n.kind,
  siteId: n.siteId,
  recallId: r.recallId,
  classification: r.classification,
  eventType: 'recall.notice',
});
