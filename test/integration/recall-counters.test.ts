import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeGetRecall } from '../../functions/get-recall.js';
import { makePostRecalls } from '../../functions/post-recalls.js';
import { onEmailEvent } from '../../lib/domain/email-events.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { publishDue } from '../../lib/domain/notice-outbox.js';
import { acknowledge } from '../../lib/domain/recall-acknowledgements.js';
import { notifyShard } from '../../lib/domain/recall-fanout.js';
import { recountNotices } from '../../lib/domain/recall-status.js';
import type { Notice } from '../../lib/domain/recall-store.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { DynamoRecallStore } from '../../lib/store/dynamo-recall-store.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv, PRODUCTS } from '../support/fixtures.js';
import { call } from '../support/http.js';
import { MemoryShardQueue, notifierDeps } from '../support/recall-notifier.js';

/**
 * The notice counters of GET /recalls/{id} are kept as notices change, not recounted. Here every write of the recall
 * store may fail before it reaches DynamoDB, or after (committed, but the caller hears an error and tries again, as a
 * Lambda retried after a timeout does); shard messages and email events arrive twice. The counters must still equal a
 * recount of the notices.
 */
let t: Awaited<ReturnType<typeof freshTable>>;
const clockAt = { now: new Date('2026-03-01T12:00:00Z') };
const clock = { now: () => clockAt.now };
let d: ReturnType<typeof depsFor>;
const queue = new MemoryShardQueue();

/** A document client whose writes fail, at random, before they are sent or after they committed. */
function flaky(doc: DynamoDBDocumentClient, rand: () => number, p: { before: number; after: number }) {
  const f = Object.create(doc) as DynamoDBDocumentClient & { armed: boolean; faults: number };
  f.armed = true;
  f.faults = 0;
  const fail = (when: string) => {
    f.faults++;
    return Object.assign(new Error(`injected fault ${when} the write`), { name: 'TimeoutError' });
  };
  f.send = (async (cmd: { constructor: { name: string } }, ...rest: unknown[]) => {
    const write = /^(Put|Update|TransactWrite|BatchWrite)/.test(cmd.constructor.name);
    if (f.armed && write && rand() < p.before) throw fail('before');
    const out = await (doc.send as (...a: unknown[]) => Promise<unknown>).call(doc, cmd, ...rest);
    if (f.armed && write && rand() < p.after) throw fail('after');
    return out;
  }) as DynamoDBDocumentClient['send'];
  return f;
}

/** Run `f` until it returns, as a queue or a retried Lambda would (a fault is a failed attempt). */
async function retried<T>(f: () => Promise<T>, attempts = 60): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= attempts || !String((e as Error).message).includes('injected fault')) throw e;
    }
  }
}

const mulberry = (seed: number) => {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
};

const CUSTOMERS = 120;
const counted = async (store: DynamoRecallStore, id: string) => {
  const r = await store.getRecall(id);
  return {
    kept: { total: r?.noticesTotal ?? 0, ...(await store.noticeCounts(id)) },
    recount: recountNotices(r?.noticesTotal ?? 0, await store.notices(id)),
  };
};

beforeAll(async () => {
  t = await freshTable('recall-counters');
  d = { ...depsFor(t.doc, t.tableName, clock), shardQueue: queue };
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  await upsertSite(d, 'dc-1', SiteInput.parse({ kind: 'warehouse', name: 'DC One', contact: { email: 'dc@example.com' } }));
  await upsertSite(d, 'store-1', SiteInput.parse({ kind: 'store', name: 'Store One' }));
  await upsertSite(d, 'farm-1', SiteInput.parse({ kind: 'supplier', name: 'Green Farm' }));
  for (let i = 0; i < CUSTOMERS; i++) {
    // Most by email, every seventh by text only, every eleventh with no contact at all.
    const contact = i % 11 === 0 ? undefined : i % 7 === 0 ? { phone: `+1555010${i}` } : { email: `c${i}@example.com`, phone: `+1555020${i}` };
    await upsertSite(d, `c-${i}`, SiteInput.parse({ kind: 'customer', name: `Customer ${i}`, ...(contact ? { contact } : {}) }));
  }
});

async function recallOf(lot: string) {
  const rec = await recordMovements(d, [
    mv({ type: 'receive', lot, quantity: 500, counterparty: 'farm-1' }),
    mv({ type: 'transfer', lot, quantity: 200, counterparty: 'store-1' }),
    ...Array.from({ length: CUSTOMERS }, (_, i) => mv({ type: 'sell', lot, quantity: 1, site: 'store-1', counterparty: `c-${i}` })),
  ]);
  expect(rec.rejected).toBe(0);
  const r = await call<{ recallId: string; notices: number }>(makePostRecalls(d), 'POST', '/recalls', {
    lots: [{ gtin: GTIN.romaine, lot }],
    classification: 'I',
    reason: 'Listeria',
    hazard: 'Serious illness',
    instructions: 'Do not eat',
  });
  expect(r.status).toBe(201);
  return r.body;
}

describe('recall notice counters against DynamoDB Local', () => {
  it('equal a full recount after a fan-out whose writes fail before and after committing, messages and events arriving twice', async () => {
    const rand = mulberry(42);
    const doc = flaky(t.doc, rand, { before: 0.08, after: 0.08 });
    const store = new DynamoRecallStore(doc, t.tableName);
    const { send, channels } = notifierDeps(d);
    const s = { ...send, recalls: store, leaseMs: 1_000, confirmsDelivery: ['email'] as const };
    const { recallId: id, notices } = await recallOf('CNT1');
    expect(notices).toBe(CUSTOMERS + 2);
    channels.sns.failCalls = 1;
    channels.email.failEntries.add(`${id}:c-3`);
    // Each shard message delivered twice, at once; each run retried until it returns.
    await Promise.all(queue.take().flatMap((m) => [0, 1].map(() => retried(() => notifyShard(s, m.recallId, m.shard)))));
    for (let i = 0; i < 8; i++) {
      clockAt.now = new Date(clockAt.now.getTime() + 10 * 60_000);
      await retried(() => publishDue(s));
    }
    // SES says delivered, twice for each email (redelivered events), and one address bounces for good.
    const emailed = [...new Set(channels.email.delivered.filter((x) => x.noticeId.startsWith(`${id}:`)).map((x) => x.noticeId))];
    expect(emailed.length).toBeGreaterThan(50);
    for (const noticeId of emailed) {
      const siteId = noticeId.slice(id.length + 1).split(':')[0] as string;
      const kind = siteId === 'c-5' ? 'bounced' : 'delivered';
      for (let k = 0; k < 2; k++)
        await retried(() => onEmailEvent({ recalls: store, clock }, { kind, notice: { recallId: id, siteId, followUp: 0 } }));
    }
    // Acknowledgements, some sent twice (a later one replaces the earlier), a follow-up round for the rest.
    for (const siteId of ['c-1', 'c-2', 'c-2', 'store-1', 'store-1'])
      await retried(() => acknowledge({ recalls: store, master: d.master, clock }, id, { siteId, quantityOnHand: 0, quantityRemoved: 1 }));
    const stale = (await store.notices(id)).filter((n: Notice) => n.status === 'published' && !n.acknowledgedAt).slice(0, 10);
    for (const n of stale) for (let k = 0; k < 2; k++) await retried(() => store.scheduleFollowUp(n, clockAt.now.toISOString()));
    doc.armed = false;
    for (let i = 0; i < 6; i++) {
      clockAt.now = new Date(clockAt.now.getTime() + 10 * 60_000);
      await publishDue(s);
    }
    expect(doc.faults).toBeGreaterThan(20);
    const { kept, recount } = await counted(store, id);
    expect(kept).toEqual(recount);
    expect(kept).toMatchObject({ total: CUSTOMERS + 2, written: CUSTOMERS + 2, acknowledged: 3, followUps: 10, pending: 0 });
    expect(kept.delivered).toBeGreaterThan(50);
    expect(kept.notNotifiable).toBe(11);
    // GET /recalls/{id} answers the kept counters.
    expect((await call(makeGetRecall(d), 'GET', `/recalls/${id}`)).body).toMatchObject({ notices: kept });
  }, 300_000);

  it('never count a transition twice, whatever the order, repeats and faults of the changes (property)', async () => {
    const store0 = new DynamoRecallStore(t.doc, t.tableName);
    const op = fc.record({
      kind: fc.constantFrom('published', 'delivered', 'dead', 'reroute', 'followUp', 'ack'),
      site: fc.integer({ min: 0, max: 2 }),
      times: fc.integer({ min: 1, max: 3 }),
      stale: fc.boolean(),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), fc.integer(), async (ops, seed) => {
        const id = `P-${run++}-${Math.abs(seed)}`;
        const doc = flaky(t.doc, mulberry(seed), { before: 0.1, after: 0.2 });
        const store = new DynamoRecallStore(doc, t.tableName);
        const at = '2026-03-01T12:00:00.000Z';
        await store0.createRecall({
          recallId: id,
          status: 'active',
          mock: false,
          classification: 'II',
          reason: 'p',
          includeDownstream: true,
          lots: [],
          affectedLots: [],
          customers: 3,
          noticesTotal: 3,
          unitsAtRisk: 3,
          issuedAt: at,
          requestedBy: 'test',
          traceMillis: 0,
        });
        const first: Notice[] = [0, 1, 2].map((i) => ({
          recallId: id,
          siteId: `s-${i}`,
          kind: 'customer',
          name: `s-${i}`,
          channels: ['email'],
          channel: 'email',
          status: 'pending',
          followUp: 0,
          quantity: 1,
          received: 1,
          products: [],
          createdAt: at,
          attempts: 0,
        }));
        const items = first.map((notice) => ({
          notice,
          token: { tokenHash: `${id}-${notice.siteId}`, recallId: id, siteId: notice.siteId, createdAt: at },
        }));
        await retried(() => store.writeNotices(items));
        for (const o of ops) {
          // A stale copy is the notice as first written: the store must find out what it is now.
          const n = o.stale ? (first[o.site] as Notice) : ((await store0.getNotice(id, `s-${o.site}`)) as Notice);
          for (let k = 0; k < o.times; k++)
            await retried(async () => {
              if (o.kind === 'published') await store.markPublished(n, 'm', at, { delivered: o.site !== 1 });
              else if (o.kind === 'delivered') await store.markDelivered(n, at);
              else if (o.kind === 'dead') await store.markDead(n, 'refused');
              else if (o.kind === 'reroute') await store.reroute(n, ['sms'], at, 'bounced');
              else if (o.kind === 'followUp') await store.scheduleFollowUp(n, at);
              else await store.putAck({ recallId: id, siteId: n.siteId, quantityOnHand: 0, quantityRemoved: 1, receivedAt: at });
            });
        }
        const { kept, recount } = await counted(store0, id);
        expect(kept).toEqual(recount);
      }),
      { numRuns: 25 },
    );
  }, 300_000);

  it('publish many notices in one transaction, and notice by notice, counted once, when one of them moved since it was read', async () => {
    const store = new DynamoRecallStore(t.doc, t.tableName);
    const id = `R-MANY-${Date.now()}`;
    const now = clockAt.now.toISOString();
    await store.createRecall({
      recallId: id,
      status: 'notifying',
      mock: false,
      classification: 'II',
      reason: 'r',
      includeDownstream: true,
      food: true,
      lots: [],
      affectedLots: [],
      customers: 0,
      noticesTotal: 120,
      noticeCounters: true,
      shards: 1,
      shardsDone: 0,
      unitsAtRisk: 0,
      issuedAt: now,
      requestedBy: 'test',
    } as never);
    const notices: Notice[] = Array.from({ length: 120 }, (_, i) => ({
      recallId: id,
      siteId: `m-${i}`,
      kind: 'store',
      name: `Store ${i}`,
      channels: ['sns'],
      channel: 'sns',
      status: 'pending',
      followUp: 0,
      quantity: 1,
      received: 1,
      products: [],
      createdAt: now,
      attempts: 0,
      nextAttemptAt: now,
    }));
    const tokens = notices.map((n) => ({ notice: n, token: { tokenHash: `h-${id}-${n.siteId}`, recallId: id, siteId: n.siteId, createdAt: now } }));
    expect((await store.writeNotices(tokens)).size).toBe(120);
    // one notice is published meanwhile by someone else: the batch holding it cannot land as read
    await store.markPublished(notices[7] as Notice, 'other', now);
    await store.markPublishedMany(notices.map((n) => ({ n, messageId: 'm', at: now, o: {} })));
    const c = await counted(store, id);
    expect(c.kept).toEqual(c.recount);
    expect(c.kept).toMatchObject({ written: 120, published: 120, delivered: 120 });
  });
});
