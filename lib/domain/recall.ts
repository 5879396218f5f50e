import { z } from 'zod';
import { hashOf } from './canonical.js';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';
import { GtinSchema, LotSchema, SiteIdSchema } from './ids.js';
import { type LotKey, lotId, planStatusChange, q3 } from './ledger.js';
import type { LotStore } from './lots.js';
import type { MasterDataStore, SiteKind } from './master-data.js';
import { mentionedSites, siteKinds, siteQuantities, type TracedLot, walkLots } from './trace.js';

export const RecallInput = z.strictObject({
  lots: z
    .array(z.strictObject({ gtin: GtinSchema, lot: LotSchema }), { error: 'must be an array of {gtin, lot}' })
    .min(1, 'name at least one lot')
    .max(100, 'at most 100 lots per recall'),
  classification: z.enum(['I', 'II', 'III'], { error: 'must be I, II or III' }),
  reason: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(2000),
  hazard: z.string().trim().max(2000).optional(),
  instructions: z.string().trim().max(4000).optional(),
  depth: z.enum(['consumer', 'retail', 'wholesale'], { error: 'must be consumer, retail or wholesale' }).optional(),
  effectivenessLevel: z.enum(['A', 'B', 'C', 'D', 'E'], { error: 'must be A, B, C, D or E' }).optional(),
  includeDownstream: z.boolean({ error: 'must be true or false' }).default(true),
  mock: z.boolean({ error: 'must be true or false' }).default(false),
});
export type RecallInput = z.infer<typeof RecallInput>;

export const AckInput = z.strictObject({
  siteId: SiteIdSchema,
  quantityOnHand: z.number({ error: 'must be a number' }).finite().min(0, 'must be 0 or more'),
  quantityRemoved: z.number({ error: 'must be a number' }).finite().min(0, 'must be 0 or more'),
  note: z.string().trim().max(2000).optional(),
});
export type AckInput = z.infer<typeof AckInput>;

export type AffectedSite = { siteId: string; kind: SiteKind | 'unknown'; onHand: number; received: number };
export type NoticeProduct = { gtin: string; lot: string; description: string | null; expiry: string | null; quantity: number };

/** The 21 CFR 7.49 notice as SNS carries it (CONTRACT.md, Recalls). */
export type NoticeMessage = {
  type: 'recall.notice';
  noticeId: string;
  recallId: string;
  classification: 'I' | 'II' | 'III';
  urgent: boolean;
  reason: string;
  hazard: string | null;
  instructions: string | null;
  issuedAt: string;
  followUp?: number;
  recipient: { siteId: string; kind: string; name: string };
  products: NoticeProduct[];
  acknowledge: { method: 'POST'; path: string };
};

/** A notice in the outbox: written before anything is published, marked published only after SNS accepted it. */
export type Notice = {
  recallId: string;
  siteId: string;
  kind: SiteKind | 'unknown';
  name: string;
  status: 'pending' | 'published';
  /** 0 = the first notice; n = the n-th follow-up to a non-responder */
  followUp: number;
  quantity: number;
  received: number;
  products: NoticeProduct[];
  createdAt: string;
  attempts: number;
  publishedAt?: string;
  firstPublishedAt?: string;
  messageId?: string;
  acknowledgedAt?: string;
  lastError?: string;
  nextAttemptAt?: string;
};

export type RecallRecord = {
  recallId: string;
  status: 'creating' | 'active';
  mock: false;
  classification: 'I' | 'II' | 'III';
  reason: string;
  hazard?: string;
  instructions?: string;
  depth?: string;
  effectivenessLevel?: string;
  includeDownstream: boolean;
  lots: LotKey[];
  affectedLots: LotKey[];
  customers: number;
  noticesTotal: number;
  unitsAtRisk: number;
  issuedAt: string;
  requestedBy: string;
  traceMillis: number;
};

export type Ack = AckInput & { recallId: string; receivedAt: string };

/** Storage port of recalls, notices (the outbox) and acknowledgements. */
export interface RecallStore {
  /** false when a recall with this id exists already */
  createRecall(r: RecallRecord): Promise<boolean>;
  getRecall(recallId: string): Promise<RecallRecord | undefined>;
  setRecallStatus(recallId: string, status: RecallRecord['status']): Promise<void>;
  /** write notices that do not exist yet; existing ones (maybe published) are left alone */
  putNotices(notices: Notice[]): Promise<void>;
  notices(recallId: string): Promise<Notice[]>;
  getNotice(recallId: string, siteId: string): Promise<Notice | undefined>;
  acks(recallId: string): Promise<Ack[]>;
  putAck(ack: Ack): Promise<void>;
}

export type RecallDeps = {
  ledger: LotStore;
  master: MasterDataStore;
  recalls: RecallStore;
  clock: Clock;
  newToken: () => string;
  /** a monotonic millisecond timer, for traceMillis */
  timer?: () => number;
};

export type RecallAnswer = {
  recallId: string;
  status: 'mock' | 'active';
  mock: boolean;
  affected: { lots: LotKey[]; sites: AffectedSite[]; customers: string[] };
  notices: number;
  traceMillis: number;
};

/** A recall id from the client's Idempotency-Key (so a retried POST finds the same recall), else a fresh one. */
export const recallIdFor = (idempotencyKey: string | undefined, newToken: () => string) =>
  idempotencyKey ? `R-${hashOf(idempotencyKey).slice(0, 16)}` : `R-${newToken().replace(/-/g, '').slice(0, 16)}`;

/**
 * The blast radius of a recall: every affected lot (downstream through transforms when asked), every site that
 * holds or received them with quantities, and per site the products and quantities its notice lists.
 */
export async function blastRadius(d: Pick<RecallDeps, 'ledger' | 'master'>, roots: LotKey[], includeDownstream: boolean) {
  for (const [i, r] of roots.entries()) {
    if (!(await d.ledger.getLot(r)))
      throw new AppError('lot_not_found', `Lot ${r.lot} of ${r.gtin} not found`, [{ path: `lots.${i}`, message: 'unknown lot' }]);
  }
  const traced: Map<string, TracedLot> = includeDownstream
    ? await walkLots(d, roots, 'forward')
    : new Map(
        await Promise.all(
          roots.map(
            async (r) => [lotId(r), { lot: await d.ledger.getLot(r), entries: await d.ledger.allEntries(r), depth: 0 }] as [string, TracedLot],
          ),
        ),
      );
  const kinds = await siteKinds(d, mentionedSites(traced.values()));
  const kindOf = (id: string) => kinds.get(id) ?? 'unknown';
  const sites = siteQuantities(traced.values(), 'forward', kindOf).filter((s) => s.kind !== 'supplier' && s.kind !== 'unknown');
  const products = new Map<string, { description: string | null }>();
  const perSite = new Map<string, NoticeProduct[]>();
  for (const t of traced.values()) {
    if (!products.has(t.lot.gtin)) products.set(t.lot.gtin, { description: (await d.master.getProduct(t.lot.gtin))?.description ?? null });
    for (const s of siteQuantities([t], 'forward', kindOf)) {
      const list = perSite.get(s.siteId) ?? [];
      list.push({
        gtin: t.lot.gtin,
        lot: t.lot.lot,
        description: products.get(t.lot.gtin)?.description ?? null,
        expiry: t.lot.expiry ?? null,
        quantity: s.kind === 'customer' || s.kind === 'distributor' ? s.received : s.onHand,
      });
      perSite.set(s.siteId, list);
    }
  }
  const lots = [...traced.values()].map((t) => ({ gtin: t.lot.gtin, lot: t.lot.lot }));
  return { lots, sites, perSite, traced };
}

/** The SNS body of a notice. */
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

/** Message attributes for SNS filter policies: never any contact data. */
export const noticeAttributes = (r: Pick<RecallRecord, 'recallId' | 'classification'>, n: Pick<Notice, 'siteId' | 'kind'>) => ({
  audience: n.kind,
  siteId: n.siteId,
  recallId: r.recallId,
  classification: r.classification,
  eventType: 'recall.notice',
});

/**
 * Start a recall (or a drill with `mock`). Order matters for "no notice lost": the recall record and every notice are
 * written to the table first (the outbox), then each affected lot becomes `recalled` with a chained ledger entry, and
 * only then is the recall marked active. The publisher sends the outbox to SNS separately and retries until SNS
 * accepts each notice. A retried request with the same Idempotency-Key resumes or returns the same recall.
 */
export async function startRecall(d: RecallDeps, input: RecallInput, opts: { idempotencyKey?: string; requestedBy: string }): Promise<RecallAnswer> {
  const recallId = recallIdFor(opts.idempotencyKey, d.newToken);
  const existing = input.mock ? undefined : await d.recalls.getRecall(recallId);
  if (existing?.status === 'active') return answerFromStore(d, existing);

  const timer = d.timer ?? (() => performance.now());
  const t0 = timer();
  const radius = await blastRadius(d, input.lots, input.includeDownstream);
  const traceMillis = Math.round(timer() - t0);
  const customers = radius.sites.filter((s) => s.kind === 'customer').map((s) => s.siteId);
  const answer: RecallAnswer = {
    recallId,
    status: input.mock ? 'mock' : 'active',
    mock: input.mock,
    affected: { lots: radius.lots, sites: radius.sites, customers },
    notices: radius.sites.length,
    traceMillis,
  };
  if (input.mock) return answer;

  const now = d.clock.now().toISOString();
  const record: RecallRecord = existing ?? {
    recallId,
    status: 'creating',
    mock: false,
    classification: input.classification,
    reason: input.reason,
    ...(input.hazard ? { hazard: input.hazard } : {}),
    ...(input.instructions ? { instructions: input.instructions } : {}),
    ...(input.depth ? { depth: input.depth } : {}),
    ...(input.effectivenessLevel ? { effectivenessLevel: input.effectivenessLevel } : {}),
    includeDownstream: input.includeDownstream,
    lots: input.lots,
    affectedLots: radius.lots,
    customers: customers.length,
    noticesTotal: radius.sites.length,
    unitsAtRisk: q3(radius.sites.reduce((s, x) => s + unitsAtRiskOf(x), 0)),
    issuedAt: now,
    requestedBy: opts.requestedBy,
    traceMillis,
  };
  if (!existing && !(await d.recalls.createRecall(record))) return answerFromStore(d, (await d.recalls.getRecall(recallId)) as RecallRecord);

  const siteRecords = await d.master.getSites(radius.sites.map((s) => s.siteId));
  const names = new Map(radius.sites.map((s) => [s.siteId, siteRecords.get(s.siteId)?.name ?? s.siteId]));
  const notices: Notice[] = radius.sites.map((s) => ({
    recallId,
    siteId: s.siteId,
    kind: s.kind,
    name: names.get(s.siteId) ?? s.siteId,
    status: 'pending',
    followUp: 0,
    quantity: unitsAtRiskOf(s),
    received: s.received,
    products: radius.perSite.get(s.siteId) ?? [],
    createdAt: now,
    attempts: 0,
  }));
  await d.recalls.putNotices(notices);

  for (const lot of radius.lots) await markRecalled(d, lot, recallId, input.reason);
  await d.recalls.setRecallStatus(recallId, 'active');
  return answer;
}

/** Units at risk at a site: on hand for internal sites; for external ones what reached them less what came back. */
const unitsAtRiskOf = (s: AffectedSite) => s.onHand;

async function markRecalled(d: RecallDeps, k: LotKey, recallId: string, reason: string) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const lot = await d.ledger.getLot(k);
    if (!lot || lot.status === 'recalled') return;
    const { next, entry } = planStatusChange(lot, { type: 'recall', reason, eventId: `recall:${recallId}`, recallId }, d.clock.now().toISOString());
    if (await d.ledger.commitLotChange(lot.seq, next, entry)) return;
    await new Promise((r) => setTimeout(r, 5 * (attempt + 1)));
  }
  throw new AppError('busy', `Lot ${k.lot} kept changing; the recall is recorded and can be resumed by sending the request again`);
}

async function answerFromStore(d: RecallDeps, r: RecallRecord): Promise<RecallAnswer> {
  const notices = await d.recalls.notices(r.recallId);
  const sites = notices.map((n) => ({ siteId: n.siteId, kind: n.kind, onHand: n.quantity, received: n.received }));
  return {
    recallId: r.recallId,
    status: 'active',
    mock: false,
    affected: { lots: r.affectedLots, sites, customers: sites.filter((s) => s.kind === 'customer').map((s) => s.siteId) },
    notices: notices.length,
    traceMillis: r.traceMillis,
  };
}

export type RecallStatus = RecallRecord & {
  affected: { lots: LotKey[]; sites: AffectedSite[]; customers: string[] };
  notices: { total: number; published: number; pending: number; acknowledged: number; followUps: number };
  effectiveness: { unitsAtRisk: number; unitsAccountedFor: number; percent: number };
};

/** GET /recalls/{id}: the recall, its notices' progress and its effectiveness so far. */
export async function recallStatus(d: Pick<RecallDeps, 'recalls'>, recallId: string): Promise<RecallStatus> {
  const r = await d.recalls.getRecall(recallId);
  if (!r) throw new AppError('recall_not_found', `Recall ${recallId} not found`, [{ path: 'recallId', message: 'unknown recall' }]);
  const [notices, acks] = await Promise.all([d.recalls.notices(recallId), d.recalls.acks(recallId)]);
  const sites = notices.map((n) => ({ siteId: n.siteId, kind: n.kind, onHand: n.quantity, received: n.received }));
  return {
    ...r,
    affected: { lots: r.affectedLots, sites, customers: sites.filter((s) => s.kind === 'customer').map((s) => s.siteId) },
    notices: {
      total: notices.length,
      published: notices.filter((n) => n.firstPublishedAt !== undefined).length,
      pending: notices.filter((n) => n.status === 'pending').length,
      acknowledged: acks.length,
      followUps: notices.reduce((s, n) => s + n.followUp, 0),
    },
    effectiveness: effectiveness(r.unitsAtRisk, acks, notices.length),
  };
}

/** Units accounted for = what responders report removed plus what they still hold (now known and quarantined). */
export function effectiveness(unitsAtRisk: number, acks: Pick<Ack, 'quantityOnHand' | 'quantityRemoved'>[], noticesTotal: number) {
  const accounted = q3(acks.reduce((s, a) => s + a.quantityRemoved + a.quantityOnHand, 0));
  const percent =
    unitsAtRisk > 0
      ? Math.min(100, Math.round((accounted / unitsAtRisk) * 1000) / 10)
      : noticesTotal > 0
        ? Math.round((acks.length / noticesTotal) * 1000) / 10
        : 100;
  return { unitsAtRisk, unitsAccountedFor: accounted, percent };
}

/** POST /recalls/{id}/acknowledgements: one per site; a later one replaces the earlier. */
export async function acknowledge(d: Pick<RecallDeps, 'recalls' | 'clock'>, recallId: string, input: AckInput): Promise<Ack> {
  const r = await d.recalls.getRecall(recallId);
  if (!r) throw new AppError('recall_not_found', `Recall ${recallId} not found`, [{ path: 'recallId', message: 'unknown recall' }]);
  const notice = await d.recalls.getNotice(recallId, input.siteId);
  if (!notice)
    throw new AppError('invalid_state', `Site ${input.siteId} was not notified of recall ${recallId}`, [
      { path: 'siteId', message: 'not a consignee of this recall' },
    ]);
  const ack: Ack = { ...input, recallId, receivedAt: d.clock.now().toISOString() };
  await d.recalls.putAck(ack);
  return ack;
}

export type RecallReport = {
  recallId: string;
  classification: string;
  depth: string | null;
  effectivenessLevel: string | null;
  issuedAt: string;
  reportedAt: string;
  consigneesNotified: {
    count: number;
    items: { siteId: string; kind: string; name: string; notifiedAt: string | null; channel: string; followUps: number }[];
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

/** GET /recalls/{id}/report: the figures of a 21 CFR 7.53 recall status report. */
export async function recallReport(d: Pick<RecallDeps, 'recalls' | 'clock'>, recallId: string): Promise<RecallReport> {
  const r = await d.recalls.getRecall(recallId);
  if (!r) throw new AppError('recall_not_found', `Recall ${recallId} not found`, [{ path: 'recallId', message: 'unknown recall' }]);
  const [notices, acks] = await Promise.all([d.recalls.notices(recallId), d.recalls.acks(recallId)]);
  const acked = new Map(acks.map((a) => [a.siteId, a]));
  const kindOf = new Map(notices.map((n) => [n.siteId, n.kind]));
  const notified = notices.map((n) => ({
    siteId: n.siteId,
    kind: n.kind,
    name: n.name,
    notifiedAt: n.firstPublishedAt ?? null,
    channel: 'sns',
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
