import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../lib/domain/canonical.js';
import { entryHashOk } from '../../lib/domain/ledger.js';
import type { LedgerStore } from '../../lib/domain/ledger-ports.js';
import { changeLotStatus, lotView } from '../../lib/domain/lots.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { verifyChain } from '../../lib/domain/verify-chain.js';
import { GTIN, mv } from '../support/fixtures.js';
import { memoryLedger } from '../support/memory-ledger.js';

const receive = (over = {}) => mv({ type: 'receive', counterparty: 'farm-1', expiry: '2026-03-20', ...over });

describe('recording movements', () => {
  it('accepts a receipt, chains it from 64 zeros and puts the stock at the site', async () => {
    // Prepare
    const d = await memoryLedger();
    // Act
    const r = await recordMovements(d, [receive()]);
    // Assess
    expect(r).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0 });
    const [entry] = await d.ledger.allEntries({ gtin: GTIN.romaine, lot: 'L1' });
    expect(entry).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, deltas: [{ siteId: 'dc-1', quantity: 10 }] });
    expect(entryHashOk(entry as never)).toBe(true);
    expect((await lotView(d, { gtin: GTIN.romaine, lot: 'L1' })).balances).toEqual([{ siteId: 'dc-1', quantity: 10, received: 10 }]);
  });

  it('refuses a unit other than the product unit, naming the field, and writes nothing (stock is counted in one unit)', async () => {
    const d = await memoryLedger();
    const r = await recordMovements(d, [receive({ eventId: 'kg-1', unit: 'KGM', quantity: 12.5 }), receive({ eventId: 'case-1', unit: 'case' })]);
    expect(r.results.map((x) => x.code ?? x.status)).toEqual(['validation_failed', 'accepted']);
    expect(r.results[0]?.errors).toEqual([{ path: 'unit', message: expect.stringContaining("the product's unit (case)") }]);
    expect((await d.ledger.allEntries({ gtin: GTIN.romaine, lot: 'L1' })).map((e) => e.eventId)).toEqual(['case-1']);
  });

  it('answers duplicate when a resend spells the default unit the first one left out, or leaves out the one it spelled', async () => {
    const d = await memoryLedger();
    const bare = receive({ eventId: 'u-bare' });
    const spelled = receive({ eventId: 'u-spelled', unit: 'case' });
    await recordMovements(d, [bare, spelled]);
    const { unit: _drop, ...unspelled } = spelled as typeof spelled & { unit?: string };
    const r = await recordMovements(d, [{ ...bare, unit: 'case' }, unspelled, { ...bare, unit: 'kg' }]);
    expect(r.results.map((x) => x.status)).toEqual(['duplicate', 'duplicate', 'rejected']);
    expect(r.results[2]).toMatchObject({ code: 'event_id_conflict' });
  });

  it('answers duplicate for the same eventId and content, and event_id_conflict for other content', async () => {
    const d = await memoryLedger();
    const first = receive();
    await recordMovements(d, [first]);
    const r = await recordMovements(d, [first, { ...first, quantity: 11 }]);
    expect(r.results.map((x) => x.status)).toEqual(['duplicate', 'rejected']);
    expect(r.results[1]).toMatchObject({ code: 'event_id_conflict', errors: [{ path: 'eventId' }] });
    expect(d.ledger.commits).toBe(1);
  });

  it('never lets stock go below zero, and writes nothing for the rejected record', async () => {
    const d = await memoryLedger();
    await recordMovements(d, [receive({ quantity: 5 })]);
    const r = await recordMovements(d, [mv({ type: 'ship', quantity: 6, counterparty: 'dist-1' })]);
    expect(r.results[0]).toMatchObject({ status: 'rejected', code: 'insufficient_stock', errors: [{ path: 'quantity' }] });
    expect(d.ledger.commits).toBe(1);
  });

  it('processes receive then ship of the same lot in one batch in order', async () => {
    const d = await memoryLedger();
    const r = await recordMovements(d, [receive({ quantity: 5 }), mv({ type: 'ship', quantity: 5, counterparty: 'dist-1' })]);
    expect(r.accepted).toBe(2);
    expect((await lotView(d, { gtin: GTIN.romaine, lot: 'L1' })).onHand).toBe(0);
  });

  it('moves stock between internal sites on transfer and refuses a transfer to an external site', async () => {
    const d = await memoryLedger();
    await recordMovements(d, [receive()]);
    const ok = await recordMovements(d, [mv({ type: 'transfer', quantity: 4, counterparty: 'store-1' })]);
    const bad = await recordMovements(d, [mv({ type: 'transfer', quantity: 1, counterparty: 'dist-1' })]);
    expect(ok.accepted).toBe(1);
    expect(bad.results[0]).toMatchObject({ status: 'rejected', errors: [{ path: 'counterparty' }] });
    const view = await lotView(d, { gtin: GTIN.romaine, lot: 'L1' });
    expect(view.balances.map((b) => [b.siteId, b.quantity])).toEqual([
      ['dc-1', 6],
      ['store-1', 4],
    ]);
  });

  it('refuses an expiry that differs from the lot recorded expiry', async () => {
    const d = await memoryLedger();
    await recordMovements(d, [receive()]);
    const r = await recordMovements(d, [receive({ expiry: '2026-04-01' })]);
    expect(r.results[0]).toMatchObject({ code: 'expiry_mismatch', errors: [{ path: 'expiry' }] });
  });

  it('refuses to ship, transfer or sell an expired lot but still allows disposal', async () => {
    const d = await memoryLedger();
    await recordMovements(d, [receive({ expiry: '2026-03-02' })]);
    const late = '2026-03-05T09:00:00-05:00';
    const r = await recordMovements(d, [
      mv({ type: 'ship', occurredAt: late, counterparty: 'dist-1', quantity: 1 }),
      mv({ type: 'sell', occurredAt: late, quantity: 1 }),
      mv({ type: 'transfer', occurredAt: late, counterparty: 'store-1', quantity: 1 }),
      mv({ type: 'dispose', occurredAt: late, quantity: 1, reason: 'expired' }),
    ]);
    expect(r.results.map((x) => x.code ?? x.status)).toEqual(['lot_blocked', 'lot_blocked', 'lot_blocked', 'accepted']);
  });

  it('refuses unknown products and sites, naming the field', async () => {
    const d = await memoryLedger();
    const r = await recordMovements(d, [receive({ gtin: '00614141000050' }), receive({ site: 'nowhere' }), receive({ site: 'farm-1' })]);
    expect(r.results.map((x) => x.errors?.[0]?.path)).toEqual(['gtin', 'site', 'site']);
  });

  it('brings a sold unit back only under its own lot: a return under another lot is refused, writing nothing', async () => {
    const d = await memoryLedger();
    const phone = { gtin: GTIN.phone, expiry: undefined, quantity: 1, serials: ['S9'] };
    await recordMovements(d, [
      receive({ ...phone, lot: 'P1' }),
      mv({ type: 'sell', ...phone, lot: 'P1', counterparty: 'cust-1' }),
      receive({ gtin: GTIN.phone, lot: 'P2', quantity: 1, expiry: undefined }),
    ]);
    const r = await recordMovements(d, [
      mv({ type: 'return', ...phone, lot: 'P2', counterparty: 'cust-1' }),
      mv({ type: 'return', ...phone, lot: 'P1', counterparty: 'cust-1' }),
    ]);
    expect(r.results.map((x) => x.code ?? x.status)).toEqual(['serial_wrong_lot', 'accepted']);
    expect(r.results[0]?.errors).toEqual([{ path: 'serials.0', message: expect.stringContaining('belongs to lot P1') }]);
    expect(await d.ledger.getSerial(GTIN.phone, 'S9')).toMatchObject({ lot: 'P1', status: 'in-stock' });
  });

  it('keeps a serial unique per GTIN: a second receipt of an in-stock serial is rejected', async () => {
    const d = await memoryLedger();
    const r = await recordMovements(d, [
      receive({ gtin: GTIN.phone, lot: 'P1', quantity: 2, serials: ['S1', 'S2'], expiry: undefined }),
      receive({ gtin: GTIN.phone, lot: 'P2', quantity: 1, serials: ['S2'], expiry: undefined }),
    ]);
    expect(r.results.map((x) => x.code ?? x.status)).toEqual(['accepted', 'serial_in_stock']);
    expect(r.results[1]?.errors?.[0]?.path).toBe('serials.0');
  });

  it('sells a serial only from the site where it is in stock', async () => {
    const d = await memoryLedger();
    await recordMovements(d, [receive({ gtin: GTIN.phone, lot: 'P1', quantity: 1, serials: ['S1'], expiry: undefined })]);
    const wrongSite = await recordMovements(d, [mv({ type: 'sell', gtin: GTIN.phone, lot: 'P1', quantity: 1, serials: ['S1'], site: 'store-1' })]);
    const ok = await recordMovements(d, [mv({ type: 'sell', gtin: GTIN.phone, lot: 'P1', quantity: 1, serials: ['S1'], counterparty: 'cust-1' })]);
    expect(wrongSite.results[0]?.code).toBe('serial_not_in_stock');
    expect(ok.accepted).toBe(1);
    expect(await d.ledger.getSerial(GTIN.phone, 'S1')).toMatchObject({ status: 'sold', siteId: 'cust-1' });
  });

  it('consumes transform inputs and creates the output lot, with an entry in every lot it touched', async () => {
    const d = await memoryLedger();
    await recordMovements(d, [receive(), receive({ gtin: GTIN.tomato, lot: 'T1', quantity: 8 })]);
    const r = await recordMovements(d, [
      mv({
        type: 'transform',
        gtin: GTIN.saladKit,
        lot: 'K1',
        quantity: 40,
        expiry: '2026-03-08',
        inputs: [
          { gtin: GTIN.romaine, lot: 'L1', quantity: 4 },
          { gtin: GTIN.tomato, lot: 'T1', quantity: 2 },
        ],
      }),
    ]);
    expect(r.accepted).toBe(1);
    expect((await lotView(d, { gtin: GTIN.romaine, lot: 'L1' })).onHand).toBe(6);
    expect((await lotView(d, { gtin: GTIN.tomato, lot: 'T1' })).onHand).toBe(6);
    const kit = await lotView(d, { gtin: GTIN.saladKit, lot: 'K1' });
    expect(kit).toMatchObject({ onHand: 40, tlcSource: 'dc-1', expiry: '2026-03-08' });
    const input = (await d.ledger.allEntries({ gtin: GTIN.tomato, lot: 'T1' }))[1];
    expect(input).toMatchObject({ role: 'input', output: { gtin: GTIN.saladKit, lot: 'K1' } });
  });

  it('refuses an on-hold lot as a transform input', async () => {
    const d = await memoryLedger();
    await recordMovements(d, [receive()]);
    await changeLotStatus(d, { gtin: GTIN.romaine, lot: 'L1' }, 'hold', 'QA check', 'req-1');
    const r = await recordMovements(d, [
      mv({ type: 'transform', gtin: GTIN.saladKit, lot: 'K1', quantity: 1, inputs: [{ gtin: GTIN.romaine, lot: 'L1', quantity: 1 }] }),
    ]);
    expect(r.results[0]).toMatchObject({ code: 'lot_blocked', errors: [{ path: 'inputs.0.lot' }] });
  });

  it('refuses with a 4xx code a movement that needs more than 100 transaction actions', async () => {
    const d = await memoryLedger();
    const serials = Array.from({ length: 120 }, (_, i) => `S${i}`);
    const r = await recordMovements(d, [receive({ gtin: GTIN.phone, lot: 'P1', quantity: 120, serials, expiry: undefined })]);
    expect(r.results[0]).toMatchObject({ status: 'rejected', code: 'too_many_actions' });
    expect(d.ledger.commits).toBe(0);
  });

  it('answers busy, having written nothing, when every attempt meets another writer', async () => {
    // Prepare: the plain port only (the careful path), whose commits always lose the race
    const d = await memoryLedger();
    let commits = 0;
    const ledger: LedgerStore = {
      snapshot: (m, c) => d.ledger.snapshot(m, c),
      commit: async () => {
        commits++;
        return 'conflict';
      },
      getEvent: (id) => d.ledger.getEvent(id),
    };
    // Act
    const r = await recordMovements({ ...d, ledger }, [receive()]);
    // Assess
    expect(r.results[0]).toMatchObject({ status: 'rejected', code: 'busy', errors: [{ path: '' }] });
    expect(r.results[0]?.message).toBe(
      'The ledger is busy (other writers kept changing the same lot or serial, 40 attempts); nothing was written for this record. Sending it again is safe.',
    );
    expect(commits).toBe(40);
    expect(d.ledger.commits).toBe(0);
  });

  it('rejects a malformed record by field path without stopping the others', async () => {
    const d = await memoryLedger();
    const r = await recordMovements(d, [{ eventId: 'x', type: 'teleport' }, receive()]);
    expect(r.results[0]).toMatchObject({ status: 'rejected', eventId: 'x', code: 'validation_failed' });
    expect(r.results[0]?.errors?.map((e) => e.path)).toContain('movements.0.type');
    expect(r.results[1]?.status).toBe('accepted');
  });
});

describe('the hash chain', () => {
  it('detects a changed entry and a removed entry', async () => {
    const d = await memoryLedger();
    await recordMovements(d, [
      receive({ quantity: 5 }),
      mv({ type: 'ship', quantity: 2, counterparty: 'dist-1' }),
      mv({ type: 'sell', quantity: 1 }),
    ]);
    const k = { gtin: GTIN.romaine, lot: 'L1' };
    const entries = await d.ledger.allEntries(k);
    const head = await d.ledger.getLot(k);
    expect(verifyChain(entries, head).ok).toBe(true);
    const changed = structuredClone(entries);
    (changed[1] as { quantity: number }).quantity = 1;
    expect(verifyChain(changed, head)).toMatchObject({ ok: false, firstBadSeq: 2 });
    expect(verifyChain([entries[0], entries[2]] as never, head)).toMatchObject({ ok: false, firstBadSeq: 2 });
    expect(verifyChain(entries.slice(0, 2), head)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });
});

describe('error paths of a batch answer', () => {
  it('name the record in one form, movements.N.field, for schema errors and rule refusals alike', async () => {
    const d = await memoryLedger();
    const r = await recordMovements(
      d,
      [receive({ site: 'nowhere' }), { ...receive(), gtin: '123' }, mv({ type: 'sell', lot: 'none', counterparty: 'cust-1' })],
      undefined,
      'movements',
    );
    expect(r.results.map((x) => x.errors?.[0]?.path)).toEqual(['movements.0.site', 'movements.1.gtin', 'movements.2.lot']);
  });
});
