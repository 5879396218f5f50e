import { type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Gtin } from '../domain/ids.js';
import type { MasterDataStore, Product, Site } from '../domain/master-data.js';
import { batchGetAll } from './batch-get.js';
import { raiseExpiryAlertBound } from './dynamo-lot-index.js';
import { fromItem } from './items.js';
import { keys } from './keys.js';

/**
 * A site as stored on its `SITE#` item, without contact details: those live on the `CONTACT#` item only the notifier
 * can read. Sites written before that item existed still carry `contact` on `SITE#`; it is never read back from here.
 */
const siteOf = (item: Record<string, unknown>): Site => {
  const { contact: _c, ...site } = fromItem<Site>(item);
  return site;
};

/** Products and sites in the single table. Puts replace the whole record (PUT semantics). */
export class DynamoMasterDataStore implements MasterDataStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putProduct(p: Product): Promise<Product> {
    // First raise the expiry check's bound on expiryAlertDays, so it is never below a stored product's.
    await raiseExpiryAlertBound(this.doc, this.table, p.expiryAlertDays);
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...keys.product(p.gtin), entity: 'product', ...p, gsi1pk: 'PRODUCTS', gsi1sk: p.gtin } }),
    );
    return p;
  }

  async getProduct(gtin: Gtin): Promise<Product | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.product(gtin), ConsistentRead: true }));
    return r.Item ? fromItem<Product>(r.Item) : undefined;
  }

  async getSites(siteIds: Iterable<string>): Promise<Map<string, Site>> {
    const items = await batchGetAll(
      this.doc,
      this.table,
      [...new Set(siteIds)].map((id) => keys.site(id)),
    );
    return new Map(items.map((i) => [String(i.siteId), siteOf(i)]));
  }

  /**
   * The site and, when the record names them, its contact details, in one transaction: `SITE#` without them,
   * `CONTACT#` with them. Contact details are write-only (no reader but the notifier's), so a record without `contact`,
   * such as a GET answer sent back, keeps those on file; `contact: {}` clears them (the site writer may not delete).
   * Rewriting a site written before `CONTACT#` existed with `contact` moves its details off `SITE#`.
   */
  async putSite(s: Site): Promise<Site> {
    const { contact, ...site } = s;
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table, Item: { ...keys.site(s.siteId), entity: 'site', ...site } } },
          ...(contact === undefined
            ? []
            : [
                {
                  Put: {
                    TableName: this.table,
                    Item: { ...keys.contact(s.siteId), entity: 'contact', siteId: s.siteId, ...contact, updatedAt: s.updatedAt },
                  },
                },
              ]),
        ],
      }),
    );
    return s;
  }

  async getSite(siteId: string): Promise<Site | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.site(siteId), ConsistentRead: true }));
    return r.Item ? siteOf(r.Item) : undefined;
  }
}
