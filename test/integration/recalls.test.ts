import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { makeGetRecall } from '../../functions/get-recall.js';
import { makeGetRecallReport } from '../../functions/get-recall-report.js';
import { makePostRecallAcknowledgements } from '../../functions/post-recall-acknowledgements.js';
import { makePostRecalls } from '../../functions/post-recalls.js';
import { lotView } from '../../lib/domain/lots.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import type { NoticeSender, OutgoingNotice } from '../../lib/domain/notice-channels.js';
import { publishDue } from '../../lib/domain/notice-outbox.js';
import { queueFollowUps } from '../../lib/domain/recall-follow-ups.js';
import type { OutboxStore } from '../../lib/domain/recall-store.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';

/** SNS stand-in that records every delivery and can fail whole calls or single entries on demand. */
class FakeSns implements NoticeSender {
  delivered: { noticeId: string; attributes: Record<string, string>; body: Record<string, unknown> }[] = [];
  failCalls = 0;
  failEntries = new Set<string>();
  async send(entries: OutgoingNotice[]) {
    if (this.failCalls > 0) {
      this.failCalls--;
      throw Object.assign(new Error('Service Unavailable'), { name: 'InternalErrorException' });
    }
    const ok: { id: string; messageId: string }[] = [];
    const failed: { id: string; message: string }[] = [];
    for (const e of entries) {
      const body = JSON.parse(JSON.stringify(e.message)) as { noticeId: string }; // as it travels: JSON
      if (this.failEntries.has(body.noticeId)) {
        this.failEntries.delete(body.noticeId);
        failed.push({ id: e.id, message: 'InternalError: try again' });
        continue;
      }
      this.delivered.push({ noticeId: body.noticeId, attributes: e.attributes, body });
      ok.push({ id: e.id, messageId: `m-${this.delivered.length}` });
    }
    return { ok, failed };
  }
  count = (noticeId: string) => this.delivered.filter((x) => x.noticeId === noticeId).length;
}

let t: Awaited<ReturnType<typeof freshTable>>;
const clockAt = { now: new Date('2026-03-01T12:00:00Z') };
const clock = { now: () => clockAt.now };
let d: ReturnType<typeof depsFor>;

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
  ]);
  return { R, T, K };
}

beforeAll(async () => {
  t = await freshTable('recalls');
  d = depsFor(t.doc, t.tableName, clock);
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  await upsertSite(
    d,
    'cust-2',
    SiteInput.parse({ kind: 'customer', name: 'Sam Shopper', contact: { email: 'sam@example.com', phone: '+1 555 0199' } }),
  );
});

const post = (body: unknown, headers: Record<string, string> = {}, logger = d.logger) =>
  call<Record<string, unknown>>(makePostRecalls({ ...d, logger }), 'POST', '/recalls', body, headers);

describe('recalls against DynamoDB Local', () => {
  it('quarantines every downstream lot, queues one notice per affected site and answers with the blast radius', async () => {
    const { R, K } = await chain('a');
    const r = await post({
      lots: [{ gtin: GTIN.romaine, lot: R }],
      classification: 'I',
      reason: 'Listeria monocytogenes',
      hazard: 'Serious illness',
      instructions: 'Remove from sale',
    });
    expect(r.status).toBe(201);
    const body = r.body as {
      recallId: string;
      affected: { lots: { lot: string }[]; sites: { siteId: string; onHand: number }[]; customers: string[] };
      notices: number;
    };
    expect(body.affected.lots.map((l) => l.lot).sort()).toEqual([K, R].sort());
    expect(body.affected.sites.map((s) => s.siteId)).toEqual(['cust-1', 'cust-2', 'dc-1', 'dist-1', 'store-1', 'store-2']);
    expect(body.affected.customers).toEqual(['cust-1', 'cust-2']);
    expect(body.notices).toBe(6);
    expect((await lotView(d, { gtin: GTIN.saladKit, lot: K })).status).toBe('recalled');
    const ship = await recordMovements(d, [mv({ type: 'ship', gtin: GTIN.saladKit, lot: K, quantity: 1, counterparty: 'dist-1' })]);
    expect(ship.results[0]).toMatchObject({ code: 'lot_blocked' });

    const sns = new FakeSns();
    expect(await publishDue({ recalls: d.recalls, senders: { sns }, clock })).toEqual({ published: 6, failed: 0 });
    const toStore = sns.delivered.find((x) => x.attributes.siteId === 'store-2');
    expect(toStore?.attributes).toEqual({
      audience: 'store',
      siteId: 'store-2',
      recallId: body.recallId,
      classification: 'I',
      eventType: 'recall.notice',
    });
    expect(toStore?.body).toMatchObject({
      type: 'recall.notice',
      noticeId: `${body.recallId}:store-2`,
      urgent: true,
      recipient: { siteId: 'store-2', kind: 'store', name: 'Store Two' },
      products: [{ gtin: GTIN.saladKit, lot: K, description: 'Garden salad kit', quantity: 5 }],
      acknowledge: { method: 'POST', path: `/recalls/${body.recallId}/acknowledgements` },
    });
    const status = await call(makeGetRecall(d), 'GET', `/recalls/${body.recallId}`);
    expect(status.body).toMatchObject({ notices: { total: 6, published: 6, acknowledged: 0 }, effectiveness: { unitsAccountedFor: 0, percent: 0 } });
  });

  it('drills with mock: the same answer, a trace time, and nothing changed or queued', async () => {
    const { R, K } = await chain('m');
    const r = await post({ lots: [{ gtin: GTIN.romaine, lot: R }], classification: 'II', reason: 'drill', mock: true });
    expect(r.body).toMatchObject({ mock: true, status: 'mock', notices: 6 });
    expect(typeof r.body.traceMillis).toBe('number');
    expect((await lotView(d, { gtin: GTIN.saladKit, lot: K })).status).toBe('active');
    expect((await call(makeGetRecall(d), 'GET', `/recalls/${r.body.recallId}`)).status).toBe(404);
  });

  it('delivers every notice exactly once after SNS fails whole calls and single entries for a while', async () => {
    const { R } = await chain('f');
    const r = await post({ lots: [{ gtin: GTIN.romaine, lot: R }], classification: 'II', reason: 'undeclared allergen' });
    const id = r.body.recallId as string;
    const sns = new FakeSns();
    sns.failCalls = 3;
    expect((await publishDue({ recalls: d.recalls, senders: { sns }, clock })).published).toBe(0);
    sns.failEntries.add(`${id}:store-1`);
    sns.failEntries.add(`${id}:cust-2`);
    for (let i = 0; i < 12; i++) {
      clockAt.now = new Date(clockAt.now.getTime() + 10 * 60_000); // past every backoff
      await publishDue({ recalls: d.recalls, senders: { sns }, clock });
    }
    const mine = sns.delivered.filter((x) => x.noticeId.startsWith(id));
    expect(mine.map((x) => x.noticeId).sort()).toEqual(['cust-1', 'cust-2', 'dc-1', 'dist-1', 'store-1', 'store-2'].map((s) => `${id}:${s}`));
  });

  it('sends a notice again, with the same noticeId, when the publisher crashes between publishing and marking', async () => {
    const { R } = await chain('c');
    const id = (await post({ lots: [{ gtin: GTIN.romaine, lot: R }], classification: 'III', reason: 'labeling' })).body.recallId as string;
    const sns = new FakeSns();
    const crashing: OutboxStore = Object.create(d.recalls);
    crashing.markPublished = async () => {
      throw new Error('Lambda timed out');
    };
    await expect(publishDue({ recalls: crashing, senders: { sns }, clock })).rejects.toThrow('timed out');
    const first = sns.delivered.filter((x) => x.noticeId.startsWith(id)).length;
    expect(first).toBeGreaterThan(0);
    clockAt.now = new Date(clockAt.now.getTime() + 2 * 60_000); // the crashed run's lease runs out
    await publishDue({ recalls: d.recalls, senders: { sns }, clock });
    const byNotice = new Map<string, number>();
    for (const x of sns.delivered.filter((y) => y.noticeId.startsWith(id))) byNotice.set(x.noticeId, (byNotice.get(x.noticeId) ?? 0) + 1);
    expect(byNotice.size).toBe(6); // none lost
    expect([...byNotice.values()].some((n) => n === 2)).toBe(true); // the crashed ones came again, same noticeId
  });

  it('takes acknowledgements, reports 7.53 figures and follows up only non-responders', async () => {
    const { R } = await chain('k');
    const id = (await post({ lots: [{ gtin: GTIN.romaine, lot: R }], classification: 'I', reason: 'E. coli O157:H7', depth: 'consumer' })).body
      .recallId as string;
    const sns = new FakeSns();
    await publishDue({ recalls: d.recalls, senders: { sns }, clock });
    const ack = makePostRecallAcknowledgements(d);
    expect((await call(ack, 'POST', `/recalls/${id}/acknowledgements`, { siteId: 'store-2', quantityOnHand: 0, quantityRemoved: 5 })).status).toBe(
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

    const report = await call<Record<string, { count: number; items: { siteId: string; channel?: string }[] }>>(
      makeGetRecallReport(d),
      'GET',
      `/recalls/${id}/report`,
    );
    expect(report.body.consigneesNotified?.count).toBe(6);
    expect(new Set(report.body.consigneesNotified?.items.map((x) => x.channel))).toEqual(new Set(['sns']));
    expect(report.body.responded?.items.map((x) => x.siteId).sort()).toEqual(['dc-1', 'store-2']);
    expect(report.body.notResponded?.count).toBe(4);
    expect(report.body).toMatchObject({ quantityReturnedOrCorrected: 32, quantityOnHandReported: 2 });

    clockAt.now = new Date(clockAt.now.getTime() + 25 * 3_600_000);
    expect(await queueFollowUps({ recalls: d.recalls, clock }, 24)).toBeGreaterThanOrEqual(4);
    sns.delivered = [];
    await publishDue({ recalls: d.recalls, senders: { sns }, clock });
    const followed = sns.delivered.filter((x) => x.noticeId.startsWith(id));
    expect(followed.map((x) => x.noticeId).sort()).toEqual(['cust-1', 'cust-2', 'dist-1', 'store-1'].map((s) => `${id}:${s}:followup-1`));
    expect(followed[0]?.body).toMatchObject({ followUp: 1 });
  });

  it('returns the same recall for a retried request with the same Idempotency-Key', async () => {
    const { R } = await chain('i');
    const body = { lots: [{ gtin: GTIN.romaine, lot: R }], classification: 'II', reason: 'retry me' };
    const a = await post(body, { 'idempotency-key': 'req-123' });
    const b = await post(body, { 'idempotency-key': 'req-123' });
    expect(b.body.recallId).toBe(a.body.recallId);
    expect(b.body.notices).toBe(a.body.notices);
    expect((await call(makeGetRecall(d), 'GET', `/recalls/${a.body.recallId}`)).body).toMatchObject({ notices: { total: 6 } });
  });

  it('keeps customer contact data out of the logs and the message attributes', async () => {
    const { R } = await chain('p');
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const logger = new Logger({ serviceName: 'lotledger', logLevel: 'DEBUG' });
      const r = await post({ lots: [{ gtin: GTIN.romaine, lot: R }], classification: 'I', reason: 'privacy check' }, {}, logger);
      const sns = new FakeSns();
      await publishDue({ recalls: d.recalls, senders: { sns }, clock, log: (m, e) => logger.warn(m, { ...e }) });
      const mine = sns.delivered.filter((x) => x.noticeId.startsWith(String(r.body.recallId)));
      expect(mine.length).toBe(6);
      expect(lines.join('')).toContain('recall started');
      for (const secret of ['sam@example.com', '555 0199', 'pat@example.com']) {
        expect(lines.join('')).not.toContain(secret);
        expect(JSON.stringify(mine.map((x) => x.attributes))).not.toContain(secret);
        expect(JSON.stringify(mine.map((x) => x.body))).not.toContain(secret);
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
      for (const r of [got, report, ack]) expect(r, `${id}`).toMatchObject({ status: 404, body: { error: { code: 'recall_not_found' } } });
    }
    const tooLong = await call(makeGetRecall(d), 'GET', `/recalls/R-${'x'.repeat(200)}`);
    expect(tooLong).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: [{ path: 'recallId' }] } } });
  });

  it('answers 404 for an unknown lot named in a recall, naming it', async () => {
    const r = await post({ lots: [{ gtin: GTIN.romaine, lot: 'NOPE' }], classification: 'I', reason: 'x' });
    expect(r).toMatchObject({ status: 404, body: { error: { code: 'lot_not_found', details: [{ path: 'lots.0' }] } } });
  });
});
