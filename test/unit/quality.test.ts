import { describe, expect, it } from 'vitest';
import { loadConfig, qaConfig } from '../../lib/config.js';
import { runExpiryCheck } from '../../lib/domain/expiry.js';
import { lotView } from '../../lib/domain/lots.js';
import { defectRateExceeded, QA_DEFAULTS, type QaDeps, qaAfterAccepted } from '../../lib/domain/quality.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { FakeAlertPublisher, InMemoryAlertStore, InMemoryLotIndex } from '../support/alerts.js';
import { GTIN, mv } from '../support/fixtures.js';
import { memoryLedger } from '../support/memory-ledger.js';

describe('defectRateExceeded', () => {
  it.each([
    [150, 3, false, 'exactly 2% does not pass 2%'],
    [149, 3, true, 'just over 2% with 3 defect returns'],
    [10, 2, false, 'a high rate below the minimum of 3 defect returns'],
    [0, 3, true, '3 defect returns and no recorded sale'],
    [1000, 0, false, 'no defect returns'],
  ])('sold %i, defect returns %i -> %s (%s)', (sold, defectReturns, expected) => {
    expect(defectRateExceeded({ sold, defectReturns }, QA_DEFAULTS)).toBe(expected);
  });

  it('treats the counters of lot heads written before they existed as zero', () => {
    expect(defectRateExceeded({}, QA_DEFAULTS)).toBe(false);
  });
});

describe('the QA settings', () => {
  const loadQaConfig = (env: Record<string, string>) => qaConfig(loadConfig({ TABLE_NAME: 't', ...env }));
  it('defaults to 2% and 3 defect returns', () => {
    expect(loadQaConfig({})).toEqual({ defectRate: 0.02, minDefectReturns: 3 });
  });
  it('takes a fraction or a percentage and a whole minimum', () => {
    expect(loadQaConfig({ QA_DEFECT_RATE: '5%', QA_MIN_DEFECT_RETURNS: '10' })).toEqual({ defectRate: 0.05, minDefectReturns: 10 });
    expect(loadQaConfig({ QA_DEFECT_RATE: '0.1' }).defectRate).toBe(0.1);
  });
  it('fails naming the bad key', () => {
    expect(() => loadQaConfig({ QA_DEFECT_RATE: 'lots' })).toThrow(/QA_DEFECT_RATE/);
    expect(() => loadQaConfig({ QA_MIN_DEFECT_RETURNS: '0' })).toThrow(/QA_MIN_DEFECT_RETURNS/);
  });
});

/** A lot of 200 at store-1 with 100 sold, recorded with the QA hook in place. */
async function setup() {
  const m = await memoryLedger();
  const alerts = new InMemoryAlertStore();
  const alertPublisher = new FakeAlertPublisher();
  const logged: string[] = [];
  const qd: QaDeps = { ...m, alerts, alertPublisher, qa: QA_DEFAULTS, log: (msg) => logged.push(msg) };
  const d = { ...m, afterAccepted: qaAfterAccepted(qd) };
  const r = await recordMovements(d, [
    mv({ type: 'receive', lot: 'Q', quantity: 200, site: 'store-1', counterparty: 'farm-1' }),
    mv({ type: 'sell', lot: 'Q', quantity: 100, site: 'store-1', counterparty: 'cust-1' }),
  ]);
  expect(r.accepted).toBe(2);
  const defect = (n = 1) =>
    recordMovements(d, [mv({ type: 'return', lot: 'Q', quantity: n, site: 'store-1', reason: 'defect', counterparty: 'cust-1' })]);
  const view = () => lotView(m, { gtin: GTIN.romaine, lot: 'Q' });
  return { m, d, qd, alerts, alertPublisher, logged, defect, view };
}

describe('the defect-rate QA check after a defect return', () => {
  it('counts units sold and defect returns on the lot head, and not other returns', async () => {
    const { m, d, defect } = await setup();
    await defect(1);
    await recordMovements(d, [mv({ type: 'return', lot: 'Q', quantity: 4, site: 'store-1', reason: 'changed mind' })]);
    const head = await m.ledger.getLot({ gtin: GTIN.romaine, lot: 'Q' });
    expect(head).toMatchObject({ sold: 100, defectReturns: 1 });
  });

  it('puts the lot on hold with a chained entry naming the rate and alerts quality once', async () => {
    // Prepare
    const { m, defect, view, alertPublisher } = await setup();
    // Act
    const two = await defect(2);
    const before = await view();
    const third = await defect(1);
    await defect(1);
    // Assess
    expect(two.accepted).toBe(1);
    expect(before.status).toBe('active');
    expect(third.results[0]?.status).toBe('accepted');
    const after = await view();
    expect(after.status).toBe('on-hold');
    expect(after.statusReason).toContain('defect-return rate 3% (3 defect returns of 100 sold)');
    const hold = (await m.ledger.allEntries({ gtin: GTIN.romaine, lot: 'Q' })).filter((e) => e.type === 'hold');
    expect(hold).toHaveLength(1);
    expect(alertPublisher.sent).toHaveLength(1);
    expect(alertPublisher.sent[0]?.attributes).toEqual({ eventType: 'qa.defect-rate', audience: 'quality', siteId: 'store-1' });
    expect(alertPublisher.sent[0]?.body).toMatchObject({
      type: 'qa.defect-rate',
      gtin: GTIN.romaine,
      lot: 'Q',
      sold: 100,
      defectReturns: 3,
      action: 'hold',
    });
  });

  it('never fails the movement when the alerts topic is down, and the next defect return sends the alert once', async () => {
    // Prepare
    const { defect, view, alertPublisher, alerts, logged } = await setup();
    await defect(2);
    alertPublisher.failCalls = 1;
    // Act
    const whileDown = await defect(1);
    const held = await view();
    await defect(1);
    await defect(1);
    // Assess
    expect(whileDown).toMatchObject({ accepted: 1, rejected: 0 });
    expect(held.status).toBe('on-hold');
    expect(logged.length).toBeGreaterThan(0);
    expect(alertPublisher.sent).toHaveLength(1);
    expect([...alerts.records.values()].map((a) => a.status)).toEqual(['published']);
  });

  it('leaves a pending QA alert to the expiry check sweep, which holds the lot and sends it', async () => {
    // Prepare
    const { m, qd, defect, view, alertPublisher } = await setup();
    await defect(2);
    alertPublisher.failCalls = 1;
    await defect(1);
    // Act
    const r = await runExpiryCheck({ ...qd, lotIndex: new InMemoryLotIndex(m.ledger, async () => 7) });
    // Assess
    expect(r.alertsPublished).toBe(1);
    expect(alertPublisher.sent.map((s) => s.attributes.eventType)).toEqual(['qa.defect-rate']);
    expect((await view()).status).toBe('on-hold');
  });

  it('does not hold a lot while its defect returns stay under the rate', async () => {
    const { d, defect, view, alertPublisher } = await setup();
    await recordMovements(d, [mv({ type: 'sell', lot: 'Q', quantity: 90, site: 'store-1' })]);
    await defect(3); // 3 of 190 sold = 1.6%
    expect((await view()).status).toBe('active');
    expect(alertPublisher.sent).toHaveLength(0);
  });
});
