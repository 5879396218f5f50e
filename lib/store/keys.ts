/** Key builders for the single table (see table.ts for the layout). */
export const keys = {
  product: (gtin: string) => ({ pk: `PRODUCT#${gtin}`, sk: 'PRODUCT' }),
  site: (siteId: string) => ({ pk: `SITE#${siteId}`, sk: 'SITE' }),
} as const;
