import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Contact } from '../domain/notice-channels.js';
import type { ContactBook } from '../domain/notice-send.js';
import { batchGetAll } from './batch-get.js';
import { keys } from './keys.js';

const contactOf = (c: Record<string, unknown>): Contact => ({
  ...(typeof c.email === 'string' ? { email: c.email } : {}),
  ...(typeof c.phone === 'string' ? { phone: c.phone } : {}),
  ...(Array.isArray(c.channels) ? { channels: c.channels.filter((x): x is string => typeof x === 'string') } : {}),
});

/**
 * Recipients' contact details, for the notifier only (IAM denies every other function the `CONTACT#` items); never
 * logged. A site written before contact details had an item of their own has no `CONTACT#` item: its details are read
 * from the old `contact` field of its `SITE#` item instead, until PUT /sites rewrites it.
 */
export class DynamoContactBook implements ContactBook {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async contacts(siteIds: string[]): Promise<Map<string, Contact>> {
    const ids = [...new Set(siteIds)];
    const out = new Map<string, Contact>();
    const found = new Set<string>();
    for (const i of await batchGetAll(
      this.doc,
      this.table,
      ids.map((id) => keys.contact(id)),
    )) {
      found.add(String(i.siteId));
      out.set(String(i.siteId), contactOf(i));
    }
    const older = ids.filter((id) => !found.has(id));
    if (older.length)
      for (const i of await batchGetAll(
        this.doc,
        this.table,
        older.map((id) => keys.site(id)),
      )) {
        const c = i.contact;
        if (c && typeof c === 'object') out.set(String(i.siteId), contactOf(c as Record<string, unknown>));
      }
    return out;
  }
}
