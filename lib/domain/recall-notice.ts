import type { NoticeWords } from './notice-channels.js';
import type { NoticeAttributes, NoticeMessage, RecallingFirm } from './notice-message.js';
import type { Notice, RecallRecord } from './recall-store.js';

/**
 * The title of a notice (CONTRACT.md, Notice message; 21 CFR 7.49(c)(2)): "URGENT: FOOD RECALL" (or "URGENT: PRODUCT
 * RECALL" for non-food) for Class I and II, and exactly "PRODUCT RECALL" for Class III, food or not.
 * @example recallTitle('I', true) // 'URGENT: FOOD RECALL'
 * @example recallTitle('III', true) // 'PRODUCT RECALL'
 */
export const recallTitle = (classification: RecallRecord['classification'], food: boolean) =>
  classification === 'III' ? 'PRODUCT RECALL' : `URGENT: ${food ? 'FOOD' : 'PRODUCT'} RECALL`;

/** Class I and II are urgent (21 CFR 7.49(c)(2): the notice is marked "urgent"). */
export const isUrgent = (classification: RecallRecord['classification']) => classification !== 'III';

/** What a notice's body needs beyond the recall and the notice: the firm (configuration) and the link. */
export type NoticeContext = { firm: RecallingFirm; ackUrl: string };

/** The body of a notice: the 21 CFR 7.49 content, the same on every channel. */
export function noticeMessage(
  r: Pick<RecallRecord, 'recallId' | 'classification' | 'reason' | 'hazard' | 'instructions' | 'issuedAt' | 'depth' | 'food'>,
  n: Pick<Notice, 'recallId' | 'siteId' | 'kind' | 'name' | 'followUp' | 'products'>,
  ctx: NoticeContext,
): NoticeMessage {
  return {
    type: 'recall.notice',
    noticeId: noticeIdOf(n),
    recallId: r.recallId,
    title: recallTitle(r.classification, r.food ?? false),
    classification: r.classification,
    urgent: isUrgent(r.classification),
    reason: r.reason,
    hazard: r.hazard ?? null,
    instructions: r.instructions ?? null,
    depth: r.depth ?? null,
    issuedAt: r.issuedAt,
    ...(n.followUp > 0 ? { followUp: n.followUp } : {}),
    recallingFirm: ctx.firm,
    recipient: { siteId: n.siteId, kind: n.kind, name: n.name },
    products: n.products,
    acknowledge: { method: 'POST', path: `/recalls/${r.recallId}/acknowledgements`, url: ctx.ackUrl },
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

const DEPTH = { consumer: 'consumers', retail: 'retail level', wholesale: 'wholesale level' } as const;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** One product line in words: description, GTIN, lot, expiry, quantity, serials. */
const productLine = (p: NoticeMessage['products'][number]) =>
  [
    p.description ?? 'Product',
    `GTIN ${p.gtin}`,
    `lot ${p.lot}`,
    ...(p.expiry ? [`expiry ${p.expiry}`] : []),
    `quantity ${p.quantity}`,
    ...(p.serials?.length ? [`serials ${p.serials.join(', ')}`] : []),
  ].join(', ');

/** Products a text message names (the rest: the link). */
const SMS_PRODUCTS = 3;
const sentence = (s: string) => s.replace(/[\s.]+$/, '');
/** One product in a text message: description, lot, expiry, quantity and serials, shortly. */
const smsProduct = (p: NoticeMessage['products'][number]) =>
  [
    `${p.description ?? p.gtin} lot ${p.lot}`,
    ...(p.expiry ? [`exp ${p.expiry}`] : []),
    `qty ${p.quantity}`,
    ...(p.serials?.length ? [`serials ${p.serials.join(', ')}`] : []),
  ].join(' ');

/**
 * The notice in words, for a person: an email (plain text and simple HTML) and a text message. Both carry the title,
 * the products, the reason, the hazard, what to do, the firm to contact and the acknowledgement link (21 CFR 7.49(c));
 * the text names at most SMS_PRODUCTS products, the link the rest.
 * @example noticeWords(message).subject // 'URGENT: FOOD RECALL - Listeria monocytogenes'
 */
export function noticeWords(m: NoticeMessage): NoticeWords {
  const follow = m.followUp ? ` (reminder ${m.followUp})` : '';
  const subject = `${m.title}${follow} - ${m.reason}`.replace(/[\r\n]+/g, ' ').slice(0, 200);
  const firm = `${m.recallingFirm.name}, ${m.recallingFirm.phone}, ${m.recallingFirm.email}`;
  const lines = [
    `${m.title}${follow}`,
    `Class ${m.classification} recall ${m.recallId}, issued ${m.issuedAt.slice(0, 10)}${m.depth ? `, to the ${DEPTH[m.depth as keyof typeof DEPTH] ?? m.depth}` : ''}.`,
    '',
    `To: ${m.recipient.name}`,
    '',
    'Products:',
    ...m.products.map((p) => `- ${productLine(p)}`),
    '',
    `Reason: ${m.reason}`,
    `Hazard: ${m.hazard ?? 'see the recalling firm'}`,
    `What to do: ${m.instructions ?? 'contact the recalling firm'}`,
    '',
    `Please tell us how many units you still hold and how many you removed, even if none: ${m.acknowledge.url}`,
    '',
    `Recalling firm: ${firm}`,
  ];
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h1>${esc(m.title)}${esc(follow)}</h1>`,
    `<p>Class ${esc(m.classification)} recall ${esc(m.recallId)}, issued ${esc(m.issuedAt.slice(0, 10))}.</p>`,
    `<p>To: ${esc(m.recipient.name)}</p>`,
    `<ul>${m.products.map((p) => `<li>${esc(productLine(p))}</li>`).join('')}</ul>`,
    `<p><strong>Reason:</strong> ${esc(m.reason)}</p>`,
    `<p><strong>Hazard:</strong> ${esc(m.hazard ?? 'see the recalling firm')}</p>`,
    `<p><strong>What to do:</strong> ${esc(m.instructions ?? 'contact the recalling firm')}</p>`,
    `<p><a href="${esc(m.acknowledge.url)}">Acknowledge this notice</a> (${esc(m.acknowledge.url)})</p>`,
    `<p>Recalling firm: ${esc(firm)}</p>`,
    '</body></html>',
  ].join('\n');
  const shown = m.products.slice(0, SMS_PRODUCTS).map(smsProduct);
  const more = m.products.length > SMS_PRODUCTS ? [`and ${m.products.length - SMS_PRODUCTS} more products (see the link)`] : [];
  const sms = [
    `${m.title}${follow}: ${[...shown, ...more].join('; ')}`,
    `Reason: ${sentence(m.reason)}`,
    `Hazard: ${sentence(m.hazard ?? 'see the recalling firm')}`,
    `What to do: ${sentence(m.instructions ?? 'contact the recalling firm')}`,
    `Acknowledge: ${m.acknowledge.url} - ${m.recallingFirm.name} ${m.recallingFirm.phone}`,
  ]
    .join('. ')
    .replace(/\s+/g, ' ')
    .trim();
  return { subject, text: lines.join('\n'), html, sms };
}
