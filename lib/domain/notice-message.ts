/** One product line of a notice: what of this lot the recipient holds (or received, for external sites). */
export type NoticeProduct = {
  gtin: string;
  lot: string;
  description: string | null;
  expiry: string | null;
  quantity: number;
  /** the units' serials, when the lot is serialized */
  serials?: string[];
};

/** The recalling firm (21 CFR 7.49(c)(1)(iv): who to contact), from configuration. */
export type RecallingFirm = { name: string; phone: string; email: string };

/** The 21 CFR 7.49 notice as its channel carries it (CONTRACT.md, Acknowledgement links). */
export type NoticeMessage = {
  type: 'recall.notice';
  noticeId: string;
  recallId: string;
  title: string;
  classification: 'I' | 'II' | 'III';
  urgent: boolean;
  reason: string;
  hazard: string | null;
  instructions: string | null;
  depth: string | null;
  issuedAt: string;
  followUp?: number;
  recallingFirm: RecallingFirm;
  recipient: { siteId: string; kind: string; name: string };
  products: NoticeProduct[];
  acknowledge: { method: 'POST'; path: string; url: string };
};

/** What subscribers route and filter on (SNS filter policies): never any contact data. */
export type NoticeAttributes = { audience: string; siteId: string; recallId: string; classification: string; eventType: 'recall.notice' };
