import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { makeGetAck } from '../../functions/get-ack.js';
import { makeGetRecall } from '../../functions/get-recall.js';
import { makeGetRecallReport } from '../../functions/get-recall-report.js';
import { makePostRecallAcknowledgements } from '../../functions/post-recall-acknowledgements.js';
import { makePostRecallClose } from '../../functions/post-recall-close.js';
import { makePostRecallEffectivenessChecks } from '../../functions/post-recall-effectiveness-checks.js';
import { makePostRecalls } from '../../functions/post-recalls.js';
import { lotView } from '../../lib/domain/lots.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { publishDue } from '../../lib/domain/notice-outbox.js';
import { notifyShard, openShardsOf } from '../../lib/domain/recall-fanout.js';
import { queueFollowUps } from '../../lib/domain/recall-follow-ups.js';
import type { OutboxStore } from '../../lib/domain/recall-store.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';
import { CONSOLE, type FakeChannel, MemoryShardQueue, notifierDeps } from '../support/recall-notifier.js';

let t: Awaited<ReturnType<typeof freshTable>>;
const clockAt = { now: new Date('2026-03-01T12:00:00Z') };
const clock = { now: () => clockAt.now };
let d: ReturnType<typeof depsFor>;
const queue = new MemoryShardQueue();
let n: ReturnType<typeof notifierDeps>;

/** A supply chain: romaine R1 and tomato T1 at dc-1, part to store-1, a salad kit K1 made from both, sold to customers. */
async function chain(suffix: string) {
  const R = `R${suffix}`;
  const T = `T${suffix}`;
  const K = `K${suffix}`;
  await recordMovements(d, [
    mv({ type: 'receive', lot: R, quantity: 50, counterparty: 'farm-1', expiry: '2026-03-20' }),
    mv({ type: 'receive', gtin: GTIN.tomato, lot: T, quantity: 50, counterparty: 'farm-1' }),
    mv({ type: 'transfer', lot: R, quantity: 10, counterparty: 'store-1' }),
    mv({ type: 'ship', lot: R, quantity: 5, counterparty: 'dist-1' }),
    mv({
      type: 'transform',
      gtin: GTIN.saladKit,
      lot: K,
      quantity: 20,
      inputs: [
        { gtin: GTIN.romaine, lot: R, quantity: 4 },
        { gtin: GTIN.tomato, lot: T, quantity: 4 },
      ],
    }),
    mv({ type: 'transfer', gtin: GTIN.saladKit, lot: K, quantity: 8, counterparty: 'store-2' }),
    mv({ type: 'sell', gtin: GTIN.saladKit, lot: K, quantity: 2, site: 'store-2', counterparty: 'cust-1' }),
    mv({ type: 'sell', gtin: GTIN.saladKit, lot: K, quantity: 1, site: 'store-2', counterparty: 'cust-2' }),
    mv({ type: 'sell', gtin: GTIN.saladKit, lot: K, quantity: 1, site: 'store-2', counterparty: 'cust-3' }),
  ]);
  return { R, T, K };
}

beforeAll(async () => {
  t = await freshTable('recalls');
  d = { ...depsFor(t.doc, t.tableName, clock), shardQueue: queue };
  n = notifierDeps(d);
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  await upsertSite(
    d,
    'cust-2',
    // email only by choice: SMS is the escalation channel
    SiteInput.parse({ kind: 'customer', name: 'Sam Shopper', contact: { email: 'sam@example.com', phone: '+1 555 0199', channels: ['email'] } }),
  );
  // both channels: reached on both, every time
  await upsertSite(
    d,
    'cust-1',
    SiteInput.parse({ kind: 'customer', name: 'Pat Customer', contact: { email: 'pat@example.com', phone: '+1 555 0188' } }),
  );
  await upsertSite(d, 'cust-3', SiteInput.parse({ kind: 'customer', name: 'No Contact' }));
  // a channel list without "webhook" narrows email and SMS only: the topic still carries the notice
  await upsertSite(
    d,
    'store-1',
    SiteInput.parse({ kind: 'store', name: 'Store One', contact: { email: 'store1@example.com', channels: ['email'] } }),
  );
});

const body = (R: string, over: Record<string, unknown> = {}) => ({
  lots: [{ gtin: GTIN.romaine, lot: R }],
  classification: 'I',
  reason: 'Listeria monocytogenes',
  hazard: 'Serious illness',
  instructions: 'Remove from sale',
  ...over,
});
const post = (b: unknown, headers: Record<string, string> = {}, logger = d.logger) =>
  call<Record<string, unknown>>(makePostRecalls({ ...d, logger }), 'POST', '/recalls', b, headers);
/** Run the notifier over every queued shard, as its queue would. */
const drain = async () => {
  for (const m of queue.take()) await notifyShard(n.send, m.recallId, m.shard);
};
const mine = (ch: FakeChannel, id: string) => ch.delivered.filter((x) => x.noticeId.startsWith(`${id}:`));

describe('recalls against DynamoDB Local', () => {
  it('answers before any notice is written, then the notifier reaches every site on its channels', async () => {
    const { R, K } = await chain('a');
    const r = await post(body(R));
    expect(r.status).toBe(201);
    const b = r.body as {
      recallId: string;
      status: string;
      affected: { lots: { lot: string }[]; sites: { siteId: string }[]; customers: string[] };
      notices: number;
    };
    expect(b.status).toBe('notifying');
    expect(b.affected.lots.map((l) => l.lot).sort()).toEqual([K, R].sort());
    expect(b.affected.sites.map((s) => s.siteId)).toEqual(['cust-1', 'cust-2', 'cust-3', 'dc-1', 'dist-1', 'store-1', 'store-2']);
    expect(b.notices).toBe(7);
    expect((await lotView(d, { gtin: GTIN.saladKit, lot: K })).status).toBe('recalled');
    const before = await call(makeGetRecall(d), 'GET', `/recalls/${b.recallId}`);
    expect(before.body).toMatchObject({ status: 'notifying', notices: { total: 7, written: 0, published: 0 } });

    await drain();
    const after = await call(makeGetRecall(d), 'GET', `/recalls/${b.recallId}`);
    expect(after.body).toMatchObject({
      status: 'active',
      notices: { total: 7, written: 7, published: 6, delivered: 6, failed: 0, notNotifiable: 1 },
    });
    // The topic: every site but customers, whatever its channel list; email and SMS: everyone on each it has and allows.
    expect(
      mine(n.channels.sns, b.recallId)
        .map((x) => x.attributes.siteId)
        .sort(),
    ).toEqual(['dc-1', 'dist-1', 'store-1', 'store-2']);
    expect(
      mine(n.channels.email, b.recallId)
        .map((x) => x.to)
        .sort(),
    ).toEqual(['pat@example.com', 'sam@example.com', 'store1@example.com']);
    expect(mine(n.channels.sms, b.recallId).map((x) => [x.noticeId, x.to])).toEqual([[`${b.recallId}:cust-1`, '+1 555 0188']]);
    const toStore = mine(n.channels.sns, b.recallId).find((x) => x.attributes.siteId === 'store-2');
    expect(toStore?.attributes).toEqual({
      audience: 'store',
      siteId: 'store-2',
      recallId: b.recallId,
      classification: 'I',
      eventType: 'recall.notice',
    });
    expect(toStore?.body).toMatchObject({
      type: 'recall.notice',
      noticeId: `${b.recallId}:store-2`,
      title: 'URGENT: FOOD RECALL',
      urgent: true,
      hazard: 'Serious illness',
      instructions: 'Remove from sale',
      recallingFirm: { name: 'Example Foods Inc.' },
      recipient: { siteId: 'store-2', kind: 'store', name: 'Store Two' },
      products: [{ gtin: GTIN.saladKit, lot: K, description: 'Garden salad kit', quantity: 4 }],
      acknowledge: { method: 'POST', path: `/recalls/${b.recallId}/acknowledgements` },
    });
    expect(String((toStore?.body.acknowledge as { url: string }).url)).toMatch(new RegExp(`^${CONSOLE}/ack/[A-Za-z0-9_-]{43,443}$`));
    const email = mine(n.channels.email, b.recallId).find((x) => x.to === 'sam@example.com');
    expect(email?.words?.subject).toContain('URGENT: FOOD RECALL');
    expect(email?.words?.text).toContain('/ack/');
    const report = await call<Record<string, { count: number; items: { siteId: string; channel?: string | null }[] }>>(
      makeGetRecallReport(d),
      'GET',
      `/recalls/${b.recallId}/report`,
    );
    expect(report.body.notNotifiable).toMatchObject({ count: 1, items: [{ siteId: 'cust-3' }] });
    expect(report.body.consigneesNotified?.items.find((x) => x.siteId === 'cust-2')?.channel).toBe('email');
  });

  it('reads back only the first shards an answer lists, in shard order', async () => {
    const recallId = 'R-shards-read-back';
    const recipient = (i: number) => ({ siteId: `c-${i}`, kind: 'customer' as const, quantity: 0, received: 1, products: [] });
    await d.recalls.putShards(
      Array.from({ length: 12 }, (_, shard) => ({
        recallId,
        shard,
        recipients: [recipient(3 * shard), recipient(3 * shard + 1), recipient(3 * shard + 2)],
      })),
    );
    expect((await d.recalls.shards(recallId)).map((s) => s.shard)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const first = await d.recalls.shards(recallId, { recipients: 13 });
    // pages of 4 shards, 3 recipients each: 13 recipients need 5 shards, so two pages are read
    expect(first.map((s) => s.shard)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect((await d.recalls.shards(recallId, { recipients: 1 })).map((s) => s.shard)).toEqual([0, 1, 2, 3]);
  });

  it('drills with mock: the same answer, a trace time, and nothing changed or queued', async () => {
    const { R, K } = await chain('m');
    const r = await post({ lots: [{ gtin: GTIN.romaine, lot: R }], classification: 'II', reason: 'drill', mock: true });
    expect(r.body).toMatchObject({ mock: true, status: 'mock', notices: 7 });
    expect(typeof r.body.traceMillis).toBe('number');
    expect((await lotView(d, { gtin: GTIN.saladKit, lot: K })).status).toBe('active');
    expect((await call(makeGetRecall(d), 'GET', `/recalls/${r.body.recallId}`)).status).toBe(404);
    expect(queue.messages).toEqual([]);
  });

  it('requires hazard and instructions unless mock, naming each field', async () => {
    const r = await post({ lots: [{ gtin: GTIN.romaine, lot: 'X' }], classification: 'I', reason: 'x' });
    expect(r.status).toBe(400);
    expect((r.body as { error: { details: { path: string }[] } }).error.details.map((x) => x.path).sort()).toEqual(['hazard', 'instructions']);
  });

  it('delivers every notice after channels fail whole calls and single entries for a while', async () => {
    const { R } = await chain('f');
    const id = (await post(body(R, { classification: 'II' }))).body.recallId as string;
    n.channels.sns.failCalls = 1;
    n.channels.email.failEntries.add(`${id}:cust-2`);
    await drain();
    for (let i = 0; i < 12; i++) {
      clockAt.now = new Date(clockAt.now.getTime() + 10 * 60_000); // past every backoff
      await publishDue(n.send);
    }
    expect(new Set(mine(n.channels.sns, id).map((x) => x.noticeId))).toEqual(
      new Set(['dc-1', 'dist-1', 'store-1', 'store-2'].map((s) => `${id}:${s}`)),
    );
    expect(mine(n.channels.email, id).filter((x) => x.to === 'sam@example.com')).toHaveLength(1);
    expect((await call(makeGetRecall(d), 'GET', `/recalls/${id}`)).body).toMatchObject({ notices: { published: 6, pending: 0 } });
  });

  it('loses no notice when the notifier dies between any two steps', async () => {
    const { R } = await chain('c');
    const id = (await post(body(R, { classification: 'III' }))).body.recallId as string;
    const [msg] = queue.take();
    if (!msg) throw new Error('no shard queued');
    // Dies after writing the notices, before sending any.
    const dying = { ...n.send, senders: { ...n.send.senders, sns: { send: () => Promise.reject(new Error('Lambda timed out')) } } };
    const crashing: OutboxStore = Object.create(d.recalls);
    crashing.markFailed = async () => {
      throw new Error('Lambda timed out');
    };
    await expect(
      notifyShard({ ...dying, recalls: Object.assign(Object.create(d.recalls), { markFailed: crashing.markFailed }) }, id, msg.shard),
    ).rejects.toThrow('timed out');
    // The queue delivers the shard again: nothing is written twice, the shard is finished.
    await notifyShard(n.send, id, msg.shard);
    expect((await call(makeGetRecall(d), 'GET', `/recalls/${id}`)).body).toMatchObject({ status: 'active', notices: { written: 7 } });
    // The notices the dead run wrote are sent by the outbox once its lease runs out, each with a fresh link.
    clockAt.now = new Date(clockAt.now.getTime() + 3 * 60_000);
    await publishDue(n.send);
    const status = (await call(makeGetRecall(d), 'GET', `/recalls/${id}`)).body as { notices: { published: number; pending: number } };
    expect(status.notices).toMatchObject({ published: 6, pending: 0 });
  });

  it('queues again the shards of a recall whose queue refused them', async () => {
    const { R } = await chain('q');
    queue.refuse = true;
    const r = await post(body(R));
    queue.refuse = false;
    expect(r.status).toBe(201);
    const id = r.body.recallId as string;
    expect(await openShardsOf(d)).toEqual([]); // within the lease: its run may still come
    clockAt.now = new Date(clockAt.now.getTime() + 3 * 60_000);
    const open = await openShardsOf(d);
    expect(open).toEqual([{ recallId: id, shard: 0 }]);
    expect(await openShardsOf(d)).toEqual([]); // claimed: not queued twice
    for (const m of open) await notifyShard(n.send, m.recallId, m.shard);
    expect((await call(makeGetRecall(d), 'GET', `/recalls/${id}`)).body).toMatchObject({ status: 'active', notices: { published: 6 } });
  });

  it('takes acknowledgements and link answers, checks by level, reports 7.53 figures, follows up and escalates', async () => {
    const { R } = await chain('k');
    const id = (await post(body(R, { depth: 'consumer', effectivenessLevel: 'C', estimatedCompletion: '2026-04-01' }))).body.recallId as string;
    await drain();
    const ack = makePostRecallAcknowledgements(d);
    expect((await call(ack, 'POST', `/recalls/${id}/acknowledgements`, { siteId: 'store-2', quantityOnHand: 0, quantityRemoved: 4 })).status).toBe(
      200,
    );
    expect(
      (await call(ack, 'POST', `/recalls/${id}/acknowledgements`, { siteId: 'dc-1', quantityOnHand: 2, quantityRemoved: 27, note: 'quarantined' }))
        .status,
    ).toBe(200);
    expect((await call(ack, 'POST', `/recalls/${id}/acknowledgements`, { siteId: 'farm-1', quantityOnHand: 0, quantityRemoved: 0 })).status).toBe(
      409,
    );
    expect((await call(ack, 'POST', `/recalls/${id}/acknowledgements`, { siteId: 'dc-1', quantityOnHand: -1 })).status).toBe(400);
    // A site that exists nowhere is an unknown resource (404), one that exists but was not notified a state conflict (409).
    const nowhere = { siteId: 'no-such-site', quantityOnHand: 0, quantityRemoved: 0 };
    expect(await call(ack, 'POST', `/recalls/${id}/acknowledgements`, nowhere)).toMatchObject({
      status: 404,
      body: { error: { code: 'site_not_found', details: [{ path: 'siteId' }] } },
    });
    expect(
      await call(makePostRecallEffectivenessChecks(d), 'POST', `/recalls/${id}/effectiveness-checks`, {
        siteId: 'no-such-site',
        method: 'phone',
        result: 'not-received',
        checkedAt: '2026-03-02T10:00:00Z',
      }),
    ).toMatchObject({ status: 404, body: { error: { code: 'site_not_found', details: [{ path: 'siteId' }] } } });
    expect((await d.recalls.acks(id)).map((a) => a.siteId).sort()).toEqual(['dc-1', 'store-2']);
    const checks = makePostRecallEffectivenessChecks(d);
    expect(
      (
        await call(checks, 'POST', `/recalls/${id}/effectiveness-checks`, {
          siteId: 'dist-1',
          method: 'phone',
          result: 'not-received',
          checkedAt: '2026-03-02T10:00:00Z',
        })
      ).status,
    ).toBe(201);
    expect((await call(makeGetRecall(d), 'GET', `/recalls/${id}`)).body).toMatchObject({
      effectivenessChecks: { level: 'C', required: 1, done: 1, stillNeeded: 0 },
    });

    const report = await call<Record<string, unknown>>(makeGetRecallReport(d), 'GET', `/recalls/${id}/report`);
    expect(report.body).toMatchObject({
      quantityReturnedOrCorrected: 31,
      quantityOnHandReported: 2,
      estimatedCompletion: '2026-04-01',
      effectivenessChecks: { count: 1, results: { 'not-received': 1 }, required: 1, stillNeeded: 0 },
      responded: { count: 2 },
      notResponded: { count: 5 },
    });
    expect(report.body.nextCursor).toBeUndefined();

    // The same report two consignees a page: the counts on every page are the whole recall's, the items add up to the
    // whole report's, each consignee on exactly one page.
    const whole = report.body as { consigneesNotified: { count: number; items: { siteId: string }[] }; notResponded: { items: unknown[] } };
    const seen: string[] = [];
    let notResponded = 0;
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const q = `/recalls/${id}/report?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call<typeof whole & { nextCursor?: string }>(makeGetRecallReport(d), 'GET', q);
      expect(page.status).toBe(200);
      expect(page.body.consigneesNotified.count).toBe(whole.consigneesNotified.count);
      seen.push(...page.body.consigneesNotified.items.map((x) => x.siteId));
      notResponded += page.body.notResponded.items.length;
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(cursor).toBeUndefined();
    expect(seen.sort()).toEqual(whole.consigneesNotified.items.map((x) => x.siteId).sort());
    expect(notResponded).toBe(whole.notResponded.items.length);
    const bad = await call<{ error: { code: string; details: { path: string }[] } }>(
      makeGetRecallReport(d),
      'GET',
      `/recalls/${id}/report?cursor=nope`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]?.path).toBe('cursor');

    // Follow-ups: twice by the same channel, then the third by the other one (cust-2: email -> sms), and an alert for Class I.
    const alerts: string[] = [];
    const fu = {
      recalls: d.recalls,
      clock,
      alertPublisher: {
        publish: async (m: { alertId: string }[]) => {
          alerts.push(...m.map((x) => x.alertId));
          return { ok: [], failed: [] };
        },
      },
    };
    for (let round = 1; round <= 3; round++) {
      clockAt.now = new Date(clockAt.now.getTime() + 25 * 3_600_000);
      expect(await queueFollowUps(fu, 24, 2)).toBeGreaterThanOrEqual(4);
      await publishDue(n.send);
    }
    const toSam = [...mine(n.channels.email, id), ...mine(n.channels.sms, id)].filter((x) => x.to === 'sam@example.com' || x.to === '+1 555 0199');
    expect(toSam.map((x) => x.noticeId)).toEqual([`${id}:cust-2`, `${id}:cust-2:followup-1`, `${id}:cust-2:followup-2`, `${id}:cust-2:followup-3`]);
    expect(
      mine(n.channels.sms, id)
        .filter((x) => x.to === '+1 555 0199')
        .map((x) => x.noticeId),
    ).toEqual([`${id}:cust-2:followup-3`]);
    // Reached on both channels from the start: every follow-up on both, nothing to escalate to.
    const toPat = (ch: FakeChannel) =>
      mine(ch, id)
        .filter((x) => x.noticeId.startsWith(`${id}:cust-1`))
        .map((x) => x.noticeId);
    expect(toPat(n.channels.sms)).toEqual(toPat(n.channels.email));
    expect(toPat(n.channels.sms)).toEqual([`${id}:cust-1`, `${id}:cust-1:followup-1`, `${id}:cust-1:followup-2`, `${id}:cust-1:followup-3`]);
    expect(alerts).toContain(`recall.non-responder:${id}:cust-2:3`);
    expect(alerts.some((a) => a.includes(`${id}:store-2:`))).toBe(false); // answered: never followed up

    // Close: the links die, acknowledgements are refused, and nothing more is sent.
    const link = String(((mine(n.channels.email, id)[0]?.body.acknowledge as { url: string }) ?? { url: '' }).url);
    const token = link.split('/ack/')[1] ?? '';
    expect((await call(makeGetAck(d), 'GET', `/ack/${token}`)).status).toBe(200);
    expect((await call(makePostRecallClose(d), 'POST', `/recalls/${id}/close`, { reason: 'complete' })).status).toBe(200);
    expect((await call(makeGetAck(d), 'GET', `/ack/${token}`)).status).toBe(404);
    expect((await call(makePostRecallClose(d), 'POST', `/recalls/${id}/close`, { reason: 'again' })).status).toBe(409);
    expect((await call(ack, 'POST', `/recalls/${id}/acknowledgements`, { siteId: 'dist-1', quantityOnHand: 0, quantityRemoved: 0 })).status).toBe(
      409,
    );
  });

  it('answers a link without an account: the notice as JSON, a page for a browser, an ack for its own site only', async () => {
    const { R } = await chain('l');
    const id = (await post(body(R))).body.recallId as string;
    await drain();
    const sam = mine(n.channels.email, id).find((x) => x.to === 'sam@example.com');
    const token = String((sam?.body.acknowledge as { url: string }).url).split('/ack/')[1] ?? '';
    const get = makeGetAck(d);
    const view = await call<Record<string, unknown>>(get, 'GET', `/ack/${token}`);
    expect(view.body).toEqual({
      recallId: id,
      classification: 'I',
      urgent: true,
      title: 'URGENT: FOOD RECALL',
      reason: 'Listeria monocytogenes',
      hazard: 'Serious illness',
      instructions: 'Remove from sale',
      products: [expect.objectContaining({ gtin: GTIN.saladKit, quantity: 1 })],
      recipient: { name: 'Sam Shopper', kind: 'customer' },
    });
    expect(JSON.stringify(view.body)).not.toContain('sam@example.com');
    const posted = await call(get, 'POST', `/ack/${token}`, { quantityOnHand: 0, quantityRemoved: 1, furtherDistributed: false });
    expect(posted).toMatchObject({ status: 200, body: { siteId: 'cust-2', quantityRemoved: 1, via: 'link' } });
    expect((await call(get, 'GET', `/ack/${token}`)).body).toMatchObject({ acknowledged: { quantityRemoved: 1 } });
    // The body cannot name another site; made-up and malformed tokens are unknown, and nothing is written.
    expect((await call(get, 'POST', `/ack/${token}`, { siteId: 'store-1', quantityOnHand: 0, quantityRemoved: 0 })).status).toBe(400);
    for (const bad of ['x'.repeat(43), 'short', `${token}x`])
      expect(await call(get, 'POST', `/ack/${encodeURIComponent(bad)}`, { quantityOnHand: 0, quantityRemoved: 0 })).toMatchObject({
        status: 404,
        body: { error: { code: 'ack_token_not_found' } },
      });
    expect((await d.recalls.acks(id)).map((a) => a.siteId)).toEqual(['cust-2']);
  });

  it('returns the same recall for the same key and body, and 409 for the same key with another body', async () => {
    const { R } = await chain('i');
    const a = await post(body(R, { classification: 'II' }), { 'idempotency-key': 'req-123' });
    const b = await post(body(R, { classification: 'II' }), { 'idempotency-key': 'req-123' });
    expect(b.body.recallId).toBe(a.body.recallId);
    expect(b.body.notices).toBe(a.body.notices);
    const other = await post(body(R, { classification: 'I' }), { 'idempotency-key': 'req-123' });
    expect(other).toMatchObject({ status: 409, body: { error: { code: 'idempotency_key_reused' } } });
    // a drill under that key asks for something else too
    const drill = await post(body(R, { classification: 'II', mock: true }), { 'idempotency-key': 'req-123' });
    expect(drill).toMatchObject({ status: 409, body: { error: { code: 'idempotency_key_reused' } } });
  });

  it('never gives a drill the id of a real recall: a key first used by a drill still starts a recall of its own', async () => {
    const { R } = await chain('m');
    const drill = await post(body(R, { mock: true }), { 'idempotency-key': 'drill-then-real' });
    expect(drill.status).toBe(201);
    expect(String(drill.body.recallId)).toMatch(/^M-/);
    // the same drill again answers the same id; nothing was recorded under it
    expect((await post(body(R, { mock: true }), { 'idempotency-key': 'drill-then-real' })).body.recallId).toBe(drill.body.recallId);
    expect(await d.recalls.getRecall(String(drill.body.recallId))).toBeUndefined();
    const real = await post(body(R), { 'idempotency-key': 'drill-then-real' });
    expect(real.status).toBe(201);
    expect(real.body.recallId).not.toBe(drill.body.recallId);
    expect(real.body.mock).toBe(false);
  });

  it('keeps customer contact data out of the logs, the topic and the message attributes', async () => {
    const { R } = await chain('p');
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const logger = new Logger({ serviceName: 'lotledger', logLevel: 'DEBUG' });
      const r = await post(body(R), {}, logger);
      for (const m of queue.take()) await notifyShard({ ...n.send, log: (msg, e) => logger.warn(msg, { ...e }) }, m.recallId, m.shard);
      const id = String(r.body.recallId);
      expect(lines.join('')).toContain('recall started');
      for (const secret of ['sam@example.com', '555 0199', 'pat@example.com', '555 0188']) {
        expect(lines.join('')).not.toContain(secret);
        expect(JSON.stringify(mine(n.channels.sns, id))).not.toContain(secret);
        expect(JSON.stringify(mine(n.channels.email, id).map((x) => [x.attributes, x.body]))).not.toContain(secret);
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('answers 404, not 400, for a recall id lotledger never issued, on every recall route', async () => {
    for (const id of ['does-not-exist', 'R-0000', 'recall 42']) {
      const path = `/recalls/${encodeURIComponent(id)}`;
      const got = await call(makeGetRecall(d), 'GET', path);
      const report = await call(makeGetRecallReport(d), 'GET', `${path}/report`);
      const ack = await call(makePostRecallAcknowledgements(d), 'POST', `${path}/acknowledgements`, {
        siteId: 'store-1',
        quantityOnHand: 0,
        quantityRemoved: 1,
      });
      const close = await call(makePostRecallClose(d), 'POST', `${path}/close`, { reason: 'x' });
      for (const r of [got, report, ack, close]) expect(r, `${id}`).toMatchObject({ status: 404, body: { error: { code: 'recall_not_found' } } });
    }
    const tooLong = await call(makeGetRecall(d), 'GET', `/recalls/R-${'x'.repeat(200)}`);
    expect(tooLong).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: [{ path: 'recallId' }] } } });
  });

  it('answers 404 for an unknown lot named in a recall, naming it', async () => {
    const r = await post(body('NOPE'));
    expect(r).toMatchObject({ status: 404, body: { error: { code: 'lot_not_found', details: [{ path: 'lots.0' }] } } });
  });

  it('quarantines lots in batched transactions, and one at a time when a batch does not land, every lot with one chained recall entry', async () => {
    const lots = Array.from({ length: 60 }, (_, i) => `Q${i}`);
    await recordMovements(
      d,
      lots.map((lot) => mv({ type: 'receive', lot, quantity: 2, counterparty: 'farm-1', expiry: '2026-03-20' })),
    );
    const batched = vi.spyOn(d.ledger, 'commitLotChanges');
    const first = await post(body(lots[0] as string, { lots: lots.slice(0, 50).map((lot) => ({ gtin: GTIN.romaine, lot })) }));
    expect(first.status).toBe(201);
    // 50 lots: one batch of 45 and one of 5, each one transaction
    expect(batched.mock.calls.map(([c]) => c.length)).toEqual(expect.arrayContaining([45, 5]));
    // a batch that does not land (a lot changed since the trace read it) is done lot by lot
    batched.mockClear();
    batched.mockImplementationOnce(async () => false);
    const second = await post(body(lots[50] as string, { lots: lots.slice(50).map((lot) => ({ gtin: GTIN.romaine, lot })) }));
    expect(second.status).toBe(201);
    batched.mockRestore();
    for (const lot of lots) {
      const k = { gtin: GTIN.romaine, lot };
      expect((await lotView(d, k)).status, lot).toBe('recalled');
      const entries = await d.ledger.allEntries(k);
      expect(
        entries.filter((e) => e.type === 'recall'),
        lot,
      ).toHaveLength(1);
    }
  });
});
