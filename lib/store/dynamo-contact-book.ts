import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Contact } from '../domain/notice-channels.js';
import type { ContactBook } from '../domain/notice-send.js';
import { batchGetAll } from './batch-get.js';
import { keys } from './keys.js';

/** Recipients' contact details from their site records (`contact`), for the notifier only; never logged. */
export class DynamoContactBook implements ContactBook {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async contacts(siteIds: string[]): Promise<Map<string, Contact>> {
    const items = await batchGetAll(
      this.doc,
      this.table,
      [...new Set(siteIds)].map((id) => keys.site(id)),
    );
    const out = new Map<string, Contact>();
    for (const i of items) {
      const c = i.contact as Contact | undefined;
      if (c && typeof c === 'object') out.set(String(i.siteId), c);
    }
    return out;
  }
}
