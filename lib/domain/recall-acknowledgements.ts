import { tokenHash, tokenNotice, unknownToken } from './ack-tokens.js';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';
import { type MasterDataStore, requireSite } from './master-data.js';
import { isUrgent, recallTitle } from './recall-notice.js';
import type { AckInput, CheckInput, LinkAckInput } from './recall-request.js';
import { type Ack, type EffectivenessCheck, type RecallRecord, type RecallStore, requireRecall } from './recall-store.js';

type D = { recalls: RecallStore; clock: Clock };
/** Reading sites: a siteId no site has is 404 `site_not_found`, a site that was not notified 409 `invalid_state`. */
type WithSites = D & { master: MasterDataStore };

/** The site's notice of the recall, or 404 for a site that exists nowhere and 409 for one the recall did not reach. */
async function requireConsignee(d: WithSites, recallId: string, siteId: string) {
  const notice = await d.recalls.getNotice(recallId, siteId);
  if (notice) return notice;
  await requireSite(d, siteId);
  throw new AppError('invalid_state', `Site ${siteId} is not a consignee of recall ${recallId}`, [
    { path: 'siteId', message: 'not a consignee of this recall' },
  ]);
}

const notClosed = (r: RecallRecord) => {
  if (r.status === 'closed')
    throw new AppError('recall_closed', `Recall ${r.recallId} is closed`, [{ path: 'recallId', message: 'closed: follow-ups have ended' }]);
};

/** POST /recalls/{id}/acknowledgements: one per site; a later one replaces the earlier. Only a notified site may answer. */
export async function acknowledge(d: WithSites, recallId: string, input: AckInput): Promise<Ack> {
  const r = await requireRecall(d.recalls, recallId);
  notClosed(r);
  await requireConsignee(d, recallId, input.siteId);
  return putAck(d, recallId, input, 'api');
}

async function putAck(d: D, recallId: string, input: AckInput, via: Ack['via']): Promise<Ack> {
  const ack: Ack = { ...input, recallId, receivedAt: d.clock.now().toISOString(), via };
  await d.recalls.putAck(ack);
  return ack;
}

/** The recall and site an acknowledgement link opens; unknown, made-up and closed-recall tokens are all 404. */
async function openLink(d: D, token: string) {
  const hash = tokenHash(token);
  // A token names its notice, which holds the hash of its first link; a follow-up's fresh link, and links issued
  // before tokens named their notice, are found through their token item (which must name the same notice).
  const named = tokenNotice(token);
  const own = named ? await d.recalls.getNotice(named.recallId, named.siteId) : undefined;
  let notice = own?.tokenHash === hash ? own : undefined;
  if (!notice) {
    const t = await d.recalls.getToken(hash);
    if (!t || (named && (t.recallId !== named.recallId || t.siteId !== named.siteId))) throw unknownToken();
    notice = await d.recalls.getNotice(t.recallId, t.siteId);
  }
  if (!notice) throw unknownToken();
  const r = await d.recalls.getRecall(notice.recallId);
  if (!r || r.status === 'closed') throw unknownToken();
  return { r, notice };
}

/** GET /ack/{token}: what the person opening the link needs to read and answer (no contact details). */
export async function ackLinkView(d: D, token: string) {
  const { r, notice } = await openLink(d, token);
  const ack = (await d.recalls.acks(r.recallId)).find((a) => a.siteId === notice.siteId);
  return {
    recallId: r.recallId,
    classification: r.classification,
    urgent: isUrgent(r.classification),
    title: recallTitle(r.classification, r.food ?? false),
    reason: r.reason,
    hazard: r.hazard ?? null,
    instructions: r.instructions ?? null,
    products: notice.products,
    recipient: { name: notice.name, kind: notice.kind },
    ...(ack
      ? {
          acknowledged: {
            at: ack.receivedAt,
            quantityOnHand: ack.quantityOnHand,
            quantityRemoved: ack.quantityRemoved,
            ...(ack.furtherDistributed !== undefined ? { furtherDistributed: ack.furtherDistributed } : {}),
          },
        }
      : {}),
  };
}

/** POST /ack/{token}: the same as an acknowledgement for the token's site. */
export async function acknowledgeByLink(d: D, token: string, input: LinkAckInput): Promise<Ack> {
  const { r, notice } = await openLink(d, token);
  return putAck(d, r.recallId, { ...input, siteId: notice.siteId }, 'link');
}

/** POST /recalls/{id}/effectiveness-checks: a check of one consignee (21 CFR 7.42(b)(3)); only a consignee can be checked. */
export async function recordCheck(d: WithSites, recallId: string, input: CheckInput): Promise<EffectivenessCheck> {
  const r = await requireRecall(d.recalls, recallId);
  notClosed(r);
  await requireConsignee(d, recallId, input.siteId);
  const c: EffectivenessCheck = { ...input, recallId, recordedAt: d.clock.now().toISOString() };
  await d.recalls.putCheck(c);
  return c;
}

/** POST /recalls/{id}/close: follow-ups end and acknowledgement links die. Closing twice is a 409. */
export async function closeRecall(d: D, recallId: string, reason: string) {
  const r = await requireRecall(d.recalls, recallId);
  notClosed(r);
  const at = d.clock.now().toISOString();
  if (!(await d.recalls.closeRecall(recallId, at, reason))) notClosed({ ...r, status: 'closed' });
  return { recallId, status: 'closed' as const, closedAt: at, closeReason: reason };
}
