/** One product line of a notice: what of this lot the recipient holds (or received, for external sites). */
export type NoticeProduct = { gtin: string; lot: string; description: string | null; expiry: string | null; quantity: number };

/** The 21 CFR 7.49 notice as its channel carries it (CONTRACT.md, Recalls). */
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

/** What subscribers route and filter on (SNS filter policies): never any contact data. */
export type NoticeAttributes = { audience: string; siteId: string; recallId: string; classification: string; eventType: 'recall.notice' };
