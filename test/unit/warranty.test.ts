import { describe, expect, it } from 'vitest';
import type { AppError } from '../../lib/domain/errors.js';
import { changeLotStatus, lotView, serialView } from '../../lib/domain/lots.js';
import { ProductInput, upsertProduct } from '../../lib/domain/master-data.js';
import type { Movement } from '../../lib/domain/movement.js';
import { QA_DEFAULTS, type QaDeps, qaAfterAccepted } from '../../lib/domain/quality.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import {
  addMonths,
  type CompatibilityRule,
  compatibility,
  compatibilityList,
  inheritedCover,
  soldOnOf,
  unitWarranty,
  warrantyOf,
} from '../../lib/domain/warranty.js';
import { type ClaimDeps, fileWarrantyClaim, WarrantyClaimInput } from '../../lib/domain/warranty-claims.js';
import { FakeAlertPublisher, InMemoryAlertStore } from '../support/alerts.js';
import { GTIN, mv } from '../support/fixtures.js';
import { memoryLedger } from '../support/memory-ledger.js';

describe('warranty dates', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'], // month end into a shorter month
    ['2028-01-31', 1, '2028-02-29'], // ... in a leap year
    ['2028-02-29', 12, '2029-02-28'], // a leap day a year on
    ['2028-02-29', 48, '2032-02-29'], // four years on: a leap day again
    ['2026-03-31', 6, '2026-09-30'],
    ['2026-12-15', 1, '2027-01-15'], // across a year end
    ['2026-08-31', 18, '2028-02-29'],
    ['2026-05-10', 24, '2028-05-10'],
  ])('%s + %i months = %s', (from, months, to) => {
    expect(addMonths(from, months)).toBe(to);
  });

  it('starts on the day sold, covers the end day, and has not started for a unit not sold', () => {
    expect(warrantyOf(12, undefined, '2026-03-01')).toEqual({ months: 12, status: 'not-started' });
    expect(warrantyOf(12, '2025-03-01', '2026-03-01')).toEqual({ months: 12, startsOn: '2025-03-01', endsOn: '2026-03-01', status: 'in-warranty' });
    expect(warrantyOf(12, '2025-03-01', '2026-03-02').status).toBe('expired');
    expect(warrantyOf(1, '2026-01-31', '2026-02-28').status).toBe('in-warranty');
    expect(warrantyOf(1, '2026-01-31', '2026-03-01').status).toBe('expired');
  });

  it('takes the first sale as the day sold, in the date the sale was recorded with', () => {
    expect(
      soldOnOf([
        { type: 'receive', occurredAt: '2026-01-02T10:00:00Z' },
        { type: 'sell', occurredAt: '2026-02-03T23:30:00-05:00' },
        { type: 'sell', occurredAt: '2026-04-01T10:00:00Z' },
      ]),
    ).toBe('2026-02-03');
    expect(soldOnOf([{ type: 'receive', occurredAt: '2026-01-02T10:00:00Z' }])).toBeUndefined();
  });
});

describe('compatibility by lot', () => {
  const rules: CompatibilityRule[] = [
    { with: '00614141000029', compatible: true, note: 'all versions' },
    { with: '00614141000029', lots: ['V2-A', 'V2-B'], compatible: false, note: 'v2 lost the old connector' },
    { with: '00614141000036', lots: ['V2-A'], compatible: true, note: 'v2 gained it' },
  ];

  it('lets a rule for the unit’s lot win over a rule for every lot', () => {
    expect(compatibility(rules, 'V1', '00614141000029')).toMatchObject({ compatible: true, rule: { note: 'all versions' } });
    expect(compatibility(rules, 'V2-B', '00614141000029')).toMatchObject({ compatible: false, rule: { note: 'v2 lost the old connector' } });
  });

  it('knows nothing (null) where no rule applies', () => {
    expect(compatibility(rules, 'V1', '00614141000036')).toEqual({ compatible: null, reason: 'no rule for lot V1' });
    expect(compatibility(rules, 'V1', '00614141000043').compatible).toBeNull();
  });

  it('prefers a known incompatibility between rules equally specific', () => {
    const both: CompatibilityRule[] = [
      { with: 'X', compatible: true },
      { with: 'X', compatible: false },
    ];
    expect(compatibility(both, 'L', 'X').compatible).toBe(false);
  });

  it('lists what a unit of each lot works with and does not', () => {
    const names = new Map([['00614141000029', 'Tomato']]);
    expect(compatibilityList(rules, 'V2-A', names)).toEqual({
      compatible: [{ gtin: '00614141000036', description: null, note: 'v2 gained it' }],
      incompatible: [{ gtin: '00614141000029', description: 'Tomato', note: 'v2 lost the old connector' }],
    });
    expect(compatibilityList(rules, 'V1', names)).toEqual({
      compatible: [{ gtin: '00614141000029', description: 'Tomato', note: 'all versions' }],
      incompatible: [],
    });
  });
});

describe('the cover of a unit', () => {
  it('has not started on a day before the sale, and covers the sale day and the end day', () => {
    expect(warrantyOf(12, '2026-01-31', '2026-01-30').status).toBe('not-started');
    expect(warrantyOf(12, '2026-01-31', '2026-01-31').status).toBe('in-warranty');
    expect(warrantyOf(12, '2026-01-31', '2027-01-31').status).toBe('in-warranty');
  });

  it('gives a replacement the rest of the original’s cover, whatever the replacement’s own sale', () => {
    const history = [{ type: 'sell' as const, occurredAt: '2026-06-01T10:00:00Z' }];
    const inherited = { claimId: 'c1', replaces: 'A1', startsOn: '2026-06-01', endsOn: '2027-01-31' };
    expect(unitWarranty(12, history, inherited, '2027-01-31')).toEqual({
      months: 12,
      startsOn: '2026-06-01',
      endsOn: '2027-01-31',
      status: 'in-warranty',
      replaces: { serial: 'A1', claimId: 'c1' },
    });
    expect(unitWarranty(12, history, inherited, '2027-02-01').status).toBe('expired');
    // without the link its own sale would have started a full year
    expect(unitWarranty(12, history, undefined, '2027-02-01')).toMatchObject({ endsOn: '2027-06-01', status: 'in-warranty' });
  });

  it('takes the latest link, and none once the replacement was sold again after it was handed out', () => {
    const link = (claimId: string, recordedAt: string, eventId: string) => ({
      gtin: '00614141000043',
      serial: 'R1',
      lot: 'V9',
      claimId,
      replaces: 'A1',
      replacesLot: 'V1',
      eventId,
      startsOn: recordedAt.slice(0, 10),
      endsOn: '2027-01-31',
      recordedAt,
    });
    const links = [link('c2', '2026-07-01T00:00:00Z', 'e2'), link('c1', '2026-06-01T00:00:00Z', 'e1')];
    const handedOut = { type: 'sell' as const, eventId: 'e2', recordedAt: '2026-07-01T00:00:00Z' };
    expect(inheritedCover(links, [handedOut])?.claimId).toBe('c2');
    expect(inheritedCover(links, [handedOut, { type: 'return', eventId: 'r', recordedAt: '2026-08-01T00:00:00Z' }])?.claimId).toBe('c2');
    expect(
      inheritedCover(links, [
        handedOut,
        { type: 'return', eventId: 'r', recordedAt: '2026-08-01T00:00:00Z' },
        { type: 'sell', eventId: 's', recordedAt: '2026-09-01T00:00:00Z' },
      ]),
    ).toBeUndefined();
    expect(inheritedCover([], [])).toBeUndefined();
  });
});

/**
 * Handset X (12 months) at store-1: lot V1 units A1 (sold 2025-01-31), A2 (sold 2026-01-31 to cust-1), A3 (sold
 * 2026-02-10), A4 (sold 2024-02-29), A5 (in stock); lot V9 units R1, R2 in stock; a romaine unit Z1. Today is 2026-03-01.
 */
async function claimsSetup() {
  const m = await memoryLedger();
  await upsertProduct(m, GTIN.phone, ProductInput.parse({ description: 'Handset X', warrantyMonths: 12 }));
  const alerts = new InMemoryAlertStore();
  const alertPublisher = new FakeAlertPublisher();
  const d: ClaimDeps = { ...m, alerts, alertPublisher, qa: QA_DEFAULTS };
  const phone = (over: Partial<Movement> & Pick<Movement, 'type'>) => mv({ gtin: GTIN.phone, site: 'store-1', ...over });
  const r = await recordMovements(d, [
    phone({
      type: 'receive',
      lot: 'V1',
      quantity: 5,
      serials: ['A1', 'A2', 'A3', 'A4', 'A5'],
      occurredAt: '2024-01-10T08:00:00Z',
      counterparty: 'farm-1',
    }),
    phone({ type: 'receive', lot: 'V9', quantity: 2, serials: ['R1', 'R2'], occurredAt: '2024-01-10T08:00:00Z', counterparty: 'farm-1' }),
    mv({ type: 'receive', lot: 'ZL', quantity: 1, serials: ['Z1'], site: 'store-1', counterparty: 'farm-1' }),
    phone({ type: 'sell', lot: 'V1', quantity: 1, serials: ['A1'], occurredAt: '2025-01-31T15:00:00Z' }),
    phone({ type: 'sell', lot: 'V1', quantity: 1, serials: ['A2'], occurredAt: '2026-01-31T15:00:00Z', counterparty: 'cust-1' }),
    phone({ type: 'sell', lot: 'V1', quantity: 1, serials: ['A3'], occurredAt: '2026-02-10T15:00:00Z' }),
    phone({ type: 'sell', lot: 'V1', quantity: 1, serials: ['A4'], occurredAt: '2024-02-29T15:00:00Z' }),
  ]);
  expect(r.accepted).toBe(7);
  const claim = (serial: string, body: Partial<WarrantyClaimInput> = {}) =>
    fileWarrantyClaim(
      d,
      GTIN.phone,
      serial,
      WarrantyClaimInput.parse({ claimId: `c-${serial}`, reportedAt: '2026-02-20T10:00:00-05:00', problem: 'does not charge', ...body }),
    );
  const refused = (p: Promise<unknown>) =>
    p.then(
      () => expect.unreachable('the claim was accepted'),
      (e: unknown) => e as AppError,
    );
  /** everything a claim could have written: claims, links, events, serials */
  const written = () =>
    JSON.stringify([[...m.ledger.claims], [...m.ledger.links], [...m.ledger.events.keys()], [...m.ledger.serials], [...m.ledger.pendingLog]]);
  return { m, d, claim, refused, written, alertPublisher };
}

describe('warranty claims', () => {
  it('files a claim inside the cover and answers the same claim, once, for the same claimId and body', async () => {
    const { m, claim } = await claimsSetup();
    const first = await claim('A2');
    expect(first).toMatchObject({
      replayed: false,
      claim: {
        claimId: 'c-A2',
        gtin: GTIN.phone,
        serial: 'A2',
        lot: 'V1',
        problem: 'does not charge',
        warranty: { startsOn: '2026-01-31', endsOn: '2027-01-31' },
      },
    });
    const again = await claim('A2');
    expect(again).toEqual({ replayed: true, claim: first.claim });
    expect((await m.ledger.getLot({ gtin: GTIN.phone, lot: 'V1' }))?.defectReturns).toBe(1);
    const view = await serialView(m, GTIN.phone, 'A2');
    expect(view.warranty?.claims).toEqual([first.claim]);
  });

  it('refuses the same claimId with another body and writes nothing', async () => {
    const { claim, refused, written } = await claimsSetup();
    await claim('A2');
    const before = written();
    const e = await refused(claim('A2', { problem: 'screen cracked' }));
    expect(e).toMatchObject({ code: 'idempotency_key_reused', details: [{ path: 'claimId' }] });
    expect(written()).toBe(before);
  });

  it('judges the cover by the day reportedAt names: the end day at a month end is in, the day after is out', async () => {
    const { claim, refused, written } = await claimsSetup();
    // A1 was sold on 2025-01-31: covered through 2026-01-31, in the caller's own date
    expect((await claim('A1', { reportedAt: '2026-01-31T23:30:00-05:00' })).claim.warranty.endsOn).toBe('2026-01-31');
    const before = written();
    const e = await refused(claim('A1', { claimId: 'late', reportedAt: '2026-02-01T00:10:00-05:00' }));
    expect(e).toMatchObject({ code: 'warranty_expired', status: 409, details: [{ path: 'reportedAt' }] });
    expect(written()).toBe(before);
  });

  it('covers a unit sold on a leap day through the last day of February a year on', async () => {
    const { claim, refused } = await claimsSetup();
    expect((await claim('A4', { reportedAt: '2025-02-28T12:00:00Z' })).claim.warranty).toEqual({ startsOn: '2024-02-29', endsOn: '2025-02-28' });
    expect(await refused(claim('A4', { claimId: 'c-2', reportedAt: '2025-03-01T00:00:00Z' }))).toMatchObject({ code: 'warranty_expired' });
  });

  it('refuses a unit not sold, or not sold yet on the day reported, and writes nothing', async () => {
    const { claim, refused, written } = await claimsSetup();
    const before = written();
    expect(await refused(claim('A5'))).toMatchObject({ code: 'warranty_not_started', status: 409 });
    expect(await refused(claim('A3', { reportedAt: '2026-02-09T12:00:00Z' }))).toMatchObject({ code: 'warranty_not_started' });
    expect(await refused(claim('NOPE'))).toMatchObject({ code: 'serial_not_found', status: 404 });
    expect(await refused(claim('A3', { reportedAt: '2026-03-02T12:00:00Z' }))).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'reportedAt' }],
    });
    expect(written()).toBe(before);
  });

  it('hands a replacement out as a chained sell to the original’s customer, with the rest of the cover, in both histories', async () => {
    const { m, claim } = await claimsSetup();
    const { claim: c } = await claim('A2', { replacementSerial: 'R1' });
    const eventId = `warranty-claim:${GTIN.phone}:A2:c-A2`;
    expect(c).toMatchObject({
      resolution: 'replace',
      replacement: { serial: 'R1', lot: 'V9', eventId, site: 'store-1', warranty: { startsOn: '2026-02-20', endsOn: '2027-01-31' } },
    });
    const original = await serialView(m, GTIN.phone, 'A2');
    const replacement = await serialView(m, GTIN.phone, 'R1');
    for (const v of [original, replacement])
      expect(v.history.at(-1)).toMatchObject({
        eventId,
        type: 'sell',
        lot: 'V9',
        serials: ['R1'],
        counterparty: 'cust-1',
        reference: { type: 'RMA', number: 'c-A2' },
      });
    expect(replacement).toMatchObject({
      status: 'sold',
      warranty: { startsOn: '2026-02-20', endsOn: '2027-01-31', status: 'in-warranty', replaces: { serial: 'A2', claimId: 'c-A2' }, claims: [] },
    });
    expect((await lotView(m, { gtin: GTIN.phone, lot: 'V9' })).onHand).toBe(1);
    // resent: the same claim, no second movement
    const events = m.ledger.events.size;
    await claim('A2', { replacementSerial: 'R1' });
    expect(m.ledger.events.size).toBe(events);
    expect((await serialView(m, GTIN.phone, 'R1')).history).toHaveLength(replacement.history.length);
    // the replacement's own claim is judged by the cover it inherited
    expect((await claim('R1', { reportedAt: '2026-02-25T12:00:00Z' })).claim.warranty).toEqual({ startsOn: '2026-02-20', endsOn: '2027-01-31' });
  });

  it('finishes a claim whose replacement left stock on an attempt that stopped before the claim was written', async () => {
    const { m, d, claim } = await claimsSetup();
    const putClaim = m.ledger.putClaim.bind(m.ledger);
    m.ledger.putClaim = async () => {
      throw new Error('the function timed out');
    };
    await expect(claim('A2', { replacementSerial: 'R1' })).rejects.toThrow('timed out');
    expect((await m.ledger.getSerial(GTIN.phone, 'R1'))?.status).toBe('sold');
    m.ledger.putClaim = putClaim;
    expect((await claim('A2', { replacementSerial: 'R1' })).claim.replacement?.serial).toBe('R1');
    // another body under that claimId now is refused: it would leave the handed-out unit without its claim
    await expect(
      fileWarrantyClaim(d, GTIN.phone, 'A2', WarrantyClaimInput.parse({ claimId: 'c-A2', reportedAt: '2026-02-20T10:00:00-05:00', problem: 'x' })),
    ).rejects.toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('refuses a replacement not in stock, of another GTIN, from a held lot, or the unit itself, and writes nothing', async () => {
    const { m, claim, refused, written } = await claimsSetup();
    await claim('A2', { replacementSerial: 'R1' });
    const before = written();
    expect(await refused(claim('A3', { replacementSerial: 'R1' }))).toMatchObject({
      code: 'serial_not_in_stock',
      details: [{ path: 'replacementSerial' }],
    });
    expect(await refused(claim('A3', { replacementSerial: 'Z1' }))).toMatchObject({
      code: 'serial_not_in_stock',
      details: [{ path: 'replacementSerial' }],
    });
    expect(await refused(claim('A3', { replacementSerial: 'A3' }))).toMatchObject({ code: 'validation_failed' });
    expect(written()).toBe(before);
    await changeLotStatus(m, { gtin: GTIN.phone, lot: 'V9' }, 'hold', 'QA', 'req-1');
    const held = written();
    expect(await refused(claim('A3', { replacementSerial: 'R2' }))).toMatchObject({ code: 'lot_blocked', details: [{ path: 'replacementSerial' }] });
    expect(written()).toBe(held);
  });

  it('refuses a replacement with a resolution other than replace, naming the field', () => {
    const r = WarrantyClaimInput.safeParse({
      claimId: 'c',
      reportedAt: '2026-02-20T10:00:00Z',
      problem: 'p',
      resolution: 'refund',
      replacementSerial: 'R1',
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['replacementSerial']);
  });

  it('counts claims as defect returns of the lot: with a defect return, they put it on QA hold', async () => {
    const { m, d, claim, alertPublisher } = await claimsSetup();
    await claim('A2');
    await claim('A3');
    expect((await lotView(m, { gtin: GTIN.phone, lot: 'V1' })).status).toBe('active');
    // a defect return counts with them: 3 of 4 sold passes the 2% limit (at least 3 defect returns)
    const qd: QaDeps = { ...d, alerts: d.alerts, alertPublisher, qa: QA_DEFAULTS };
    const rec = await recordMovements({ ...m, afterAccepted: qaAfterAccepted(qd) }, [
      mv({ type: 'return', gtin: GTIN.phone, lot: 'V1', quantity: 1, serials: ['A1'], site: 'store-1', reason: 'defect' }),
    ]);
    expect(rec.accepted).toBe(1);
    expect((await m.ledger.getLot({ gtin: GTIN.phone, lot: 'V1' }))?.defectReturns).toBe(3);
    expect((await lotView(m, { gtin: GTIN.phone, lot: 'V1' })).status).toBe('on-hold');
  });

  it('puts the lot on hold from the claim that passes the limit', async () => {
    const { m, claim, alertPublisher } = await claimsSetup();
    await claim('A2');
    await claim('A3');
    await claim('A1', { reportedAt: '2026-01-15T10:00:00Z' });
    expect((await lotView(m, { gtin: GTIN.phone, lot: 'V1' })).status).toBe('on-hold');
    expect(alertPublisher.sent.map((s) => s.body.type)).toEqual(['qa.defect-rate']);
  });
});
