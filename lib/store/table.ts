/**
 * The single lotledger table: one definition shared by the CDK stack and the local stack's provisioning,
 * so the two can never drift. Keys are overloaded (single-table design); `lib/store/keys.ts` builds them.
 *
 * | item              | pk                     | sk                    | GSI1 (bySite/outbox)          | GSI2 (byExpiry, sparse)            | GSI3 (byDay)                    |
 * |-------------------|------------------------|-----------------------|-------------------------------|------------------------------------|---------------------------------|
 * | product           | PRODUCT#{gtin}         | PRODUCT               |                               |                                    |                                 |
 * | site              | SITE#{siteId}          | SITE                  |                               |                                    |                                 |
 * | lot (chain head)  | LOT#{gtin}#{lot}       | LOT                   |                               |                                    |                                 |
 * | ledger entry      | LOT#{gtin}#{lot}       | SEQ#{seq:12}          |                               |                                    | DAY#{yyyy-mm-dd} / {at}#{gtin}… |
 * | balance           | LOT#{gtin}#{lot}       | BAL#{siteId}          | SITE#{siteId} / BAL#{gtin}#…  | EXPIRY / {expiry}#{gtin}#{lot}#…   |                                 |
 * | lot edge          | LOT#{gtin}#{lot}       | OUT#… / IN#…          |                               |                                    |                                 |
 * | event (idempot.)  | EVENT#{eventId}        | EVENT                 |                               |                                    |                                 |
 * | serial            | SERIAL#{gtin}#{serial} | SERIAL                |                               |                                    |                                 |
 * | serial history    | SERIAL#{gtin}#{serial} | H#{at}#{eventId}      |                               |                                    |                                 |
 * | recall / notice   | RECALL#{id}            | RECALL / NOTICE#{site}| OUTBOX / {createdAt}#… (unpublished notices only)                  |                                 |
 * | alert (expiry/qa) | ALERT#{kind}#…         | ALERT                 |                               |                                    |                                 |
 * | export job        | EXPORT#{id}            | EXPORT                |                               |                                    |                                 |
 *
 * GSI2 holds only balances with stock on hand of lots that have an expiry, so the daily expiry check
 * reads the lots near expiry, not every lot.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];
