import { describe, expect, it } from 'vitest';
import { atRisk, classifyExpiry, type ExpiryDeps, runExpiryCheck, salesBySite } from '../../lib/domain/expiry.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { FakeAlertPublisher, InMemoryAlertStore, InMemoryLotIndex } from '../support/alerts.js';
import { GTIN, mv } from '../support/fixtures.js';
import { memoryLedger } from '../support/memory-ledger.js';

/** A ledger in memory (products: romaine and tomato 5 alert days, salad kit 3, phone 7), alerts in memory, a movable clock. */
async function setup() {
  const m = await memoryLedger();
  const at = { now: new Date('2026-03-01T12:00:00Z') };
  const alerts = new InMemoryAlertStore();
  const alertPublisher = new FakeAlertPublisher();
  const lotIndex = new InMemoryLotIndex(m.ledger, async () => 7);
  const d: ExpiryDeps & typeof m = { ...m, clock: { now: () => at.now }, alerts, alertPublisher, lotIndex };
  const receive = async (lot: string, expiry: string, over: Parameters<typeof mv>[0] = { type: 'receive' }) => {
    const r = await recordMovements(d, [mv({ lot, quantity: 10, counterparty: 'farm-1', expiry, ...over, type: 'receive' })]);
    expect(r.accepted).toBe(1);
  };
  return { d, at, alerts, alertPublisher, lotIndex, receive };
}

describe('classifyExpiry', () => {
  it.each([
    ['2026-02-28', 5, 'expiry.expired', -1],
    ['2026-03-01', 0, 'expiry.expiring', 0],
    ['2026-03-01', 5, 'expiry.expiring', 0],
    ['2026-03-06', 5, 'expiry.expiring', 5],
    ['2026-03-04', 3, 'expiry.expiring', 3],
  ])('classifies expiry %s with %i alert days as of 2026-03-01 as %s (%i days left)', (expiry, days, kind, daysLeft) => {
    expect(classifyExpiry(expiry, '2026-03-01', days)).toEqual({ kind, daysLeft });
  });

  it('leaves a lot alone the day after its alert window', () => {
    expect(classifyExpiry('2026-03-07', '2026-03-01', 5)).toBeUndefined();
    expect(classifyExpiry('2026-03-02', '2026-03-01', 0)).toBeUndefined();
  });

  it('counts whole calendar days across a month end and a leap day', () => {
    expect(classifyExpiry('2028-03-01', '2028-02-28', 7)).toEqual({ kind: 'expiry.expiring', daysLeft: 2 });
  });
});

describe('runExpiryCheck', () => {
  it("judges each lot by its own product's expiryAlertDays", async () => {
    // Prepare
    const { d, receive } = await setup();
    await receive('ROM-4', '2026-03-05'); // romaine: 5 days, 4 left -> expiring
    await receive('ROM-6', '2026-03-07'); // romaine: 6 left, outside its 5-day window
    await receive('KIT-4', '2026-03-05', { type: 'receive', gtin: GTIN.saladKit }); // kit: 3-day window, 4 left: outside it
    await receive('PHN-7', '2026-03-08', { type: 'receive', gtin: GTIN.phone }); // phone: 7 days, 7 left -> expiring
    await receive('ROM-OLD', '2026-02-27'); // expired
    // Act
    const r = await runExpiryCheck(d);
    // Assess
    expect(r.asOf).toBe('2026-03-01');
    expect(r.expiringSoon.map((l) => [l.lot, l.daysLeft])).toEqual([
      ['ROM-4', 4],
      ['PHN-7', 7],
    ]);
    expect(r.expired.map((l) => [l.lot, l.daysLeft])).toEqual([['ROM-OLD', -2]]);
  });

  it('raises one alert per (lot, site, kind) with the audience, siteId and eventType attributes', async () => {
    // Prepare
    const { d, receive, alertPublisher } = await setup();
    await receive('L1', '2026-03-03');
    await recordMovements(d, [mv({ type: 'transfer', lot: 'L1', quantity: 4, counterparty: 'store-1' })]);
    // Act
    const r = await runExpiryCheck(d);
    // Assess
    expect(r.expiringSoon).toEqual([
      {
        gtin: GTIN.romaine,
        lot: 'L1',
        description: 'Romaine hearts 3ct',
        expiry: '2026-03-03',
        daysLeft: 2,
        balances: [
          { siteId: 'dc-1', quantity: 6 },
          { siteId: 'store-1', quantity: 4 },
        ],
      },
    ]);
    // two expiring alerts, and two at-risk ones: nothing sold there, so none of the stock sells out in 2 days
    expect(r.alertsPublished).toBe(4);
    const expiring = alertPublisher.sent.filter((s) => s.attributes.eventType === 'expiry.expiring');
    const store = expiring.find((s) => s.attributes.siteId === 'store-1');
    expect(store?.attributes).toEqual({ eventType: 'expiry.expiring', audience: 'store', siteId: 'store-1' });
    expect(store?.body).toEqual({
      type: 'expiry.expiring',
      alertId: `expiry.expiring#${GTIN.romaine}#L1#store-1`,
      gtin: GTIN.romaine,
      lot: 'L1',
      description: 'Romaine hearts 3ct',
      expiry: '2026-03-03',
      daysLeft: 2,
      siteId: 'store-1',
      quantity: 4,
      asOf: '2026-03-01',
    });
    expect(expiring.find((s) => s.attributes.siteId === 'dc-1')?.attributes.audience).toBe('warehouse');
  });

  it('publishes each alert once however often the check runs', async () => {
    // Prepare
    const { d, receive, alertPublisher } = await setup();
    await receive('L1', '2026-03-02');
    // Act
    const runs = [await runExpiryCheck(d), await runExpiryCheck(d), await runExpiryCheck(d, '2026-03-02')];
    // Assess
    expect(runs.map((r) => r.alertsPublished)).toEqual([2, 0, 0]);
    expect(runs[2]?.expiringSoon).toHaveLength(1);
    expect(runs[2]?.atRisk).toHaveLength(1);
    expect(alertPublisher.sent.map((s) => s.attributes.eventType)).toEqual(['expiry.expiring', 'expiry.at-risk']);
  });

  it('sends the expired alert too once a lot that was expiring passes its date', async () => {
    // Prepare
    const { d, receive, alertPublisher } = await setup();
    await receive('L1', '2026-03-02');
    // Act
    await runExpiryCheck(d, '2026-03-01');
    const later = await runExpiryCheck(d, '2026-03-03');
    // Assess
    expect(later.expired.map((l) => l.lot)).toEqual(['L1']);
    expect(alertPublisher.sent.map((s) => s.attributes.eventType)).toEqual(['expiry.expiring', 'expiry.at-risk', 'expiry.expired']);
  });

  it('after SNS failed, a re-run publishes every missed alert exactly once', async () => {
    // Prepare
    const { d, receive, alertPublisher, alerts } = await setup();
    await receive('L1', '2026-03-02');
    await receive('L2', '2026-02-20');
    alertPublisher.failCalls = 1;
    // Act
    const failed = await runExpiryCheck(d);
    const rerun = await runExpiryCheck(d);
    const third = await runExpiryCheck(d);
    // Assess
    expect(failed).toMatchObject({ alertsPublished: 0, alertsPending: 3 });
    expect(rerun).toMatchObject({ alertsPublished: 3, alertsPending: 0 });
    expect(third.alertsPublished).toBe(0);
    expect(alertPublisher.sent.map((s) => s.alertId).sort()).toEqual([
      `expiry.at-risk#${GTIN.romaine}#L1#dc-1`,
      `expiry.expired#${GTIN.romaine}#L2#dc-1`,
      `expiry.expiring#${GTIN.romaine}#L1#dc-1`,
    ]);
    expect([...alerts.records.values()].every((a) => a.status === 'published')).toBe(true);
  });

  it('retries only the entry SNS refused, not the ones it took', async () => {
    // Prepare
    const { d, receive, alertPublisher } = await setup();
    await receive('L1', '2026-03-02');
    await receive('L2', '2026-03-03');
    alertPublisher.failAlerts.add(`expiry.expiring#${GTIN.romaine}#L2#dc-1`);
    // Act
    const first = await runExpiryCheck(d);
    const second = await runExpiryCheck(d);
    // Assess
    expect([first.alertsPublished, first.alertsPending, second.alertsPublished]).toEqual([3, 1, 1]);
    expect(alertPublisher.sent.filter((s) => s.attributes.eventType === 'expiry.expiring').map((s) => s.alertId)).toEqual([
      `expiry.expiring#${GTIN.romaine}#L1#dc-1`,
      `expiry.expiring#${GTIN.romaine}#L2#dc-1`,
    ]);
  });

  it('re-sends an alert whose publish was not recorded (a crash) with the same alertId and body, once its lease lapses', async () => {
    // Prepare
    const { d, at, receive, alertPublisher, alerts } = await setup();
    await receive('L1', '2026-03-02');
    alerts.failMarks = 1;
    await runExpiryCheck(d);
    // Act
    const whileLeased = await runExpiryCheck(d);
    at.now = new Date('2026-03-01T12:02:00Z');
    const afterLease = await runExpiryCheck(d);
    const again = await runExpiryCheck(d);
    // Assess
    expect([whileLeased.alertsPublished, afterLease.alertsPublished, again.alertsPublished]).toEqual([0, 1, 0]);
    const expiring = alertPublisher.sent.filter((s) => s.attributes.eventType === 'expiry.expiring');
    expect(expiring).toHaveLength(2);
    expect(expiring[1]).toEqual(expiring[0]);
  });

  it('reads the index only up to asOf plus the at-risk horizon, three times the largest expiryAlertDays', async () => {
    // Prepare
    const { d, receive, lotIndex } = await setup();
    for (let i = 0; i < 5; i++) await receive(`FAR-${i}`, '2026-06-01');
    await receive('NEAR', '2026-03-04');
    // Act
    const r = await runExpiryCheck(d);
    // Assess
    expect(r.expiringSoon.map((l) => l.lot)).toEqual(['NEAR']);
    expect(lotIndex.reads).toBe(1);
  });
});

describe('at-risk stock', () => {
  it.each([
    // onHand, sold in 14 days, daysLeft, alertDays -> dailySales, projectedUnsold (or not at risk)
    [100, 28, 10, 7, { dailySales: 2, projectedUnsold: 80 }],
    [20, 28, 10, 7, undefined], // sells 2 a day: 20 go in 10 days
    [21, 28, 10, 7, { dailySales: 2, projectedUnsold: 1 }],
    [5, 0, 0, 7, { dailySales: 0, projectedUnsold: 5 }], // expires today, nothing sells: all of it
    [50, 0, 21, 7, { dailySales: 0, projectedUnsold: 50 }], // the last day of the 3 x 7 horizon
    [50, 0, 22, 7, undefined], // beyond it
    [50, 0, -1, 7, undefined], // expired: reported as expired, not at risk
    [10, 7, 3, 1, { dailySales: 0.5, projectedUnsold: 8.5 }],
    [1, 1, 14, 5, undefined], // 1/14 a day for 14 days is the one unit
  ])('onHand %d, %d sold in 14 days, %d days left, %d alert days -> %o', (onHand, sold14, daysLeft, alertDays, expected) => {
    expect(atRisk({ onHand, sold14, daysLeft, alertDays })).toEqual(expected);
  });

  it('counts sales at each site in the 14 days before asOf, asOf itself and transfers excluded', () => {
    const e = (type: string, site: string, quantity: number, occurredAt: string) =>
      ({ type, site, quantity, occurredAt }) as Parameters<typeof salesBySite>[0][number];
    const sold = salesBySite(
      [
        e('sell', 's1', 1, '2026-02-14T23:00:00-05:00'), // 15 days before: outside
        e('sell', 's1', 2, '2026-02-15T08:00:00Z'), // day 14: inside
        e('sell', 's1', 3, '2026-02-28T08:00:00Z'),
        e('sell', 's1', 4, '2026-03-01T08:00:00Z'), // asOf: outside
        e('sell', 's2', 5, '2026-02-20T08:00:00Z'),
        e('transfer', 's1', 6, '2026-02-20T08:00:00Z'),
      ],
      '2026-03-01',
    );
    expect(Object.fromEntries(sold)).toEqual({ s1: 5, s2: 5 });
  });

  it('lists a (lot, site) that will not sell out in time and alerts marketing once, however often the check runs', async () => {
    // Prepare: 40 at dc-1, 20 moved to store-1, which sold 14 in the last two weeks (1 a day); 9 days to expiry
    const { d, receive, alertPublisher } = await setup();
    await receive('SLOW', '2026-03-10', { type: 'receive', quantity: 40, occurredAt: '2026-02-10T08:00:00Z' });
    const moves = await recordMovements(d, [
      mv({ type: 'transfer', lot: 'SLOW', quantity: 20, counterparty: 'store-1', occurredAt: '2026-02-12T08:00:00Z' }),
      mv({ type: 'sell', lot: 'SLOW', quantity: 7, site: 'store-1', occurredAt: '2026-02-20T08:00:00Z' }),
      mv({ type: 'sell', lot: 'SLOW', quantity: 7, site: 'store-1', occurredAt: '2026-02-27T08:00:00Z' }),
    ]);
    expect(moves.accepted).toBe(3);
    // Act
    const runs = [await runExpiryCheck(d), await runExpiryCheck(d), await runExpiryCheck(d, '2026-03-02')];
    // Assess
    expect(runs[0]?.atRisk).toEqual([
      {
        gtin: GTIN.romaine,
        lot: 'SLOW',
        description: 'Romaine hearts 3ct',
        siteId: 'dc-1',
        expiry: '2026-03-10',
        daysLeft: 9,
        onHand: 20,
        dailySales: 0,
        projectedUnsold: 20,
      },
    ]);
    // store-1: 6 left, selling 1 a day, 9 days: it sells out in time
    expect(runs[2]?.atRisk.map((l) => l.siteId)).toEqual(['dc-1']);
    const marketing = alertPublisher.sent.filter((s) => s.attributes.eventType === 'expiry.at-risk');
    expect(marketing).toHaveLength(1);
    expect(marketing[0]?.attributes).toEqual({ eventType: 'expiry.at-risk', audience: 'marketing', siteId: 'dc-1' });
    expect(marketing[0]?.body).toMatchObject({ type: 'expiry.at-risk', lot: 'SLOW', projectedUnsold: 20, asOf: '2026-03-01' });
  });
});
