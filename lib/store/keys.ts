/** Key builders for the single table (see table.ts for the layout). */
export const keys = {
  product: (gtin: string) => ({ pk: `PRODUCT#${gtin}`, sk: 'PRODUCT' }),
  site: (siteId: string) => ({ pk: `SITE#${siteId}`, sk: 'SITE' }),
  lot: (k: { gtin: string; lot: string }) => ({ pk: `LOT#${k.gtin}#${k.lot}`, sk: 'LOT' }),
  /** seq zero-padded to 12 digits so entries sort in chain order */
  entry: (k: { gtin: string; lot: string }, seq: number) => ({ pk: `LOT#${k.gtin}#${k.lot}`, sk: `SEQ#${String(seq).padStart(12, '0')}` }),
  event: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' }),
  serial: (gtin: string, serial: string) => ({ pk: `SERIAL#${gtin}#${serial}`, sk: 'SERIAL' }),
} as const;
