/** Key builders for the single table (see table.ts for the layout). */
export const keys = {
  product: (gtin: string) => ({ pk: `PRODUCT#${gtin}`, sk: 'PRODUCT' }),
  site: (siteId: string) => ({ pk: `SITE#${siteId}`, sk: 'SITE' }),
  /** a site's contact details (`contact` of PUT /sites), an item of its own so that IAM lets only the notifier read it */
  contact: (siteId: string) => ({ pk: `CONTACT#${siteId}`, sk: 'CONTACT' }),
  /** the lot's meta: identity, status, chain head */
  lot: (k: { gtin: string; lot: string }) => ({ pk: `LOT#${k.gtin}#${k.lot}`, sk: 'LOT' }),
  /** a lot's stock at one site; sorts before the meta (`BAL#` < `LOT` < `PEND#` < `SEQ#`) */
  stock: (k: { gtin: string; lot: string }, siteId: string) => ({ pk: `LOT#${k.gtin}#${k.lot}`, sk: `BAL#${siteId}` }),
  /** an accepted entry waiting for the sequencer, in acceptance order */
  pending: (p: { gtin: string; lot: string; acceptedAt: string; n: number; entry: { eventId: string } }) => ({
    pk: `LOT#${p.gtin}#${p.lot}`,
    sk: `PEND#${p.acceptedAt}#${p.entry.eventId}#${String(p.n).padStart(3, '0')}`,
  }),
  /** seq zero-padded to 12 digits so entries sort in chain order */
  entry: (k: { gtin: string; lot: string }, seq: number) => ({ pk: `LOT#${k.gtin}#${k.lot}`, sk: `SEQ#${String(seq).padStart(12, '0')}` }),
  /**
   * a warranty claim on a unit, in its lot's partition: sorts between the stock heads and the meta (`BAL#` < `CLAIM#`
   * < `LOT`), so the lot's read (BAL#..LOT) counts its claims as defect returns in the same Query
   */
  claim: (k: { gtin: string; lot: string }, serial: string, claimId: string) => ({
    pk: `LOT#${k.gtin}#${k.lot}`,
    sk: `CLAIM#${serial}#C#${claimId}`,
  }),
  /** the link a replacement unit carries, in its own lot's partition, naming the unit it replaces and the claim */
  replacementLink: (k: { gtin: string; lot: string }, serial: string, replaces: string, claimId: string) => ({
    pk: `LOT#${k.gtin}#${k.lot}`,
    sk: `CLAIM#${serial}#R#${replaces}#${claimId}`,
  }),
  /** every claim item of one unit in its lot's partition (its claims and the links naming it) */
  claimsOfSerial: (serial: string) => `CLAIM#${serial}#`,
  event: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' }),
  serial: (gtin: string, serial: string) => ({ pk: `SERIAL#${gtin}#${serial}`, sk: 'SERIAL' }),
} as const;
