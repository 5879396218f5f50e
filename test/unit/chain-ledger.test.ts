import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../lib/domain/canonical.js';
import { CHAIN_TRAIL_MS, type ChainStore, chainLot, type Sealed } from '../../lib/domain/chain-ledger.js';
import { fixedClock } from '../../lib/domain/clock.js';
import type { LedgerEntry, LotKey, LotMeta, PendingEntry } from '../../lib/domain/ledger.js';
import { settleCut } from '../../lib/exports/run-export.js';

const lot: LotKey = { gtin: '00614141000012', lot: 'L1' };

/** A one-lot ChainStore in memory: the head, the pending entries in sort-key order, and the chain sealed so far. */
function oneLot(pending: PendingEntry[]) {
  let head: Pick<LotMeta, 'seq' | 'headHash' | 'headAt'> = { seq: 0, headHash: GENESIS_HASH };
  const chain: LedgerEntry[] = [];
  const store: ChainStore = {
    unchainedOf: async (_k, limit) => ({ head: { ...head }, pending: pending.slice(0, limit) }),
    seal: async (_k, expected, next, sealed: Sealed[]) => {
      if (head.seq !== expected) return false;
      head = next;
      chain.push(...sealed.map((s) => s.entry));
      pending.splice(0, sealed.length);
      return true;
    },
    unchainedLots: async () => [lot],
  };
  return { store, chain, head: () => head };
}

const sale = (eventId: string, acceptedAt: string, recordedAt: string): PendingEntry => ({
  ...lot,
  acceptedAt,
  n: 0,
  entry: { ...lot, eventId, type: 'sell', occurredAt: recordedAt, recordedAt, site: 'S1', quantity: -1, unit: 'EA', deltas: [] },
});

describe('the sequencer', () => {
  it('never lets recordedAt go down along a chain, so "recorded up to T" is a prefix of it', async () => {
    // The second sale was planned earlier (its clock read 10:00:00.100) but stamped after a later head: it is chained second.
    const l = oneLot([
      sale('e1', '2026-03-01T10:00:00.200Z', '2026-03-01T10:00:00.200Z'),
      sale('e2', '2026-03-01T10:00:00.300Z', '2026-03-01T10:00:00.100Z'),
    ]);
    expect(await chainLot({ ledger: l.store }, lot)).toBe(2);
    expect(l.chain.map((e) => [e.seq, e.eventId, e.recordedAt])).toEqual([
      [1, 'e1', '2026-03-01T10:00:00.200Z'],
      [2, 'e2', '2026-03-01T10:00:00.200Z'],
    ]);
    expect(l.head().headAt).toBe('2026-03-01T10:00:00.200Z');
    expect(l.chain[1]?.prevHash).toBe(l.chain[0]?.hash);
  });
});

describe('settleCut', () => {
  it('waits out what is left of the chaining trail past the cut, and nothing when the cut is old enough', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const clock = fixedClock('2026-03-01T12:00:00.500Z');
    await settleCut({ clock, sleep, chainTrailMs: CHAIN_TRAIL_MS }, '2026-03-01T12:00:00.000Z');
    await settleCut({ clock, sleep, chainTrailMs: CHAIN_TRAIL_MS }, '2026-03-01T11:59:50.000Z');
    await settleCut({ clock, sleep, chainTrailMs: 0 }, '2026-03-01T12:00:00.500Z');
    expect(waits).toEqual([CHAIN_TRAIL_MS - 500]);
  });
});
