import { TABLE } from '../table-schema.js';

/**
 * How the stores lay their items over the single table (lib/table-schema.ts). Keys are overloaded (single-table
 * design): `keys.ts` builds those of products, sites, lots, entries, events and serials; the other stores build their own.
 *
 * | item                | pk                     | sk              | GSI1                                       | GSI2 (sparse)                  | GSI3                                          |
 * |---------------------|------------------------|-----------------|--------------------------------------------|--------------------------------|-----------------------------------------------|
 * | product             | PRODUCT#{gtin}         | PRODUCT         | PRODUCTS / {gtin}                          |                                |                                               |
 * | site                | SITE#{siteId}          | SITE            |                                            |                                |                                               |
 * | site contact        | CONTACT#{siteId}       | CONTACT         |                                            |                                |                                               |
 * | stock head          | LOT#{gtin}#{lot}       | BAL#{siteId}    | BINS#{siteId}#{0..15} / {gtin}#{lot} (sparse) | EXPIRY#{0..15} / {expiry}#{gtin}#{lot}#{siteId} |                              |
 * | lot meta (chain head)| LOT#{gtin}#{lot}      | LOT             | GTIN#{gtin} / {expiry}#{lot}               |                                |                                               |
 * | pending entry       | LOT#{gtin}#{lot}       | PEND#{at}#{eventId}#{n} |                                    | UNCHAINED#{0..15} / {at}#{gtin}#{lot} |                                        |
 * | ledger entry        | LOT#{gtin}#{lot}       | SEQ#{seq:12}    |                                            |                                | DAY#{yyyy-mm-dd} / {at}#{gtin}#{lot}#{seq:12} |
 * | warranty claim      | LOT#{gtin}#{lot}       | CLAIM#{serial}#C#{claimId} |                               |                                |                                               |
 * | replacement link    | LOT#{gtin}#{lot}       | CLAIM#{serial}#R#{original}#{claimId} |                    |                                |                                               |
 * | event (idempotency) | EVENT#{eventId}        | EVENT           |                                            |                                |                                               |
 * | serial              | SERIAL#{gtin}#{serial} | SERIAL          |                                            |                                |                                               |
 * | recall              | RECALL#{recallId}      | RECALL          | RECALLS / {issuedAt}#{recallId}            |                                |                                               |
 * | recall notice       | RECALL#{recallId}      | NOTICE#{siteId} | OUTBOX#{shard} / {due}#{recallId}#{siteId} |                                |                                               |
 * | acknowledgement     | RECALL#{recallId}      | ACK#{siteId}    |                                            |                                |                                               |
 * | notice counter      | RECALL#{recallId}      | COUNT#{00..15}  |                                            |                                |                                               |
 * | alert (expiry, QA)  | ALERT#{alertId}        | ALERT           | ALERTS#PENDING / {createdAt}#{alertId}     |                                |                                               |
 * | export job          | EXPORT#{exportId}      | EXPORT          |                                            |                                |                                               |
 * | expiry-alert bound  | META#EXPIRY_ALERT_DAYS | META            |                                            |                                |                                               |
 *
 * Lots without an expiry sort last in GSI1 as `9999-12-31`. GSI2 holds only stock heads with stock on hand and an
 * expiry, so the daily expiry check reads the lots near expiry, not every lot, and the pending entries the sequencer
 * has not chained yet (its sweep's list); both families are sharded 16 ways (docs/ledger.md). GSI1 `BINS#` holds
 * only stock heads with stock in a bin, sharded by lot: the putaway of a site reads its 16 shards. Every item also carries an `entity` tag.
 */

/** The attributes the stores add to a domain record (keys, index keys, entity tag, TTL); `fromItem` drops them. */
export const STORAGE_ATTRIBUTES: ReadonlySet<string> = new Set([
  TABLE.partitionKey,
  TABLE.sortKey,
  ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  'entity',
  TABLE.timeToLiveAttribute,
]);
