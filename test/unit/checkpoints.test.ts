import { describe, expect, it } from 'vitest';
import { type Checkpoint, checkAgainstCheckpoint, checkpointIntact } from '../../lib/domain/checkpoints.js';
import { fixedClock } from '../../lib/domain/clock.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { verifyAll, verifyLot } from '../../lib/domain/verify-ledger.js';
import { writeCheckpoint } from '../../lib/domain/write-checkpoint.js';
import { GTIN, mv } from '../support/fixtures.js';
import { MemoryBucket } from '../support/memory-bucket.js';
import { memoryLedger } from '../support/memory-ledger.js';
import { forgeChain } from '../support/rewrite.js';

async function ledgerWithTwoLots() {
  const d = await memoryLedger();
  await recordMovements(d, [
    mv({ type: 'receive', lot: 'C1', quantity: 10, counterparty: 'farm-1' }),
    mv({ type: 'sell', lot: 'C1', quantity: 2 }),
    mv({ type: 'receive', lot: 'C2', quantity: 5, counterparty: 'farm-1' }),
  ]);
  const exportFiles = new MemoryBucket();
  return { ...d, exportFiles };
}
const C1 = { gtin: GTIN.romaine, lot: 'C1' };
const id = `${GTIN.romaine}|C1`;

describe('ledger checkpoints', () => {
  it('chains each checkpoint to the one before and seals it with its own hash', async () => {
    // Prepare
    const d = await ledgerWithTwoLots();
    // Act
    const first = await writeCheckpoint(d);
    const second = await writeCheckpoint({ ...d, clock: fixedClock('2026-03-02T02:00:00Z') });
    // Assess
    const latest = await d.exportFiles.latest();
    expect(first.previous).toBeNull();
    expect(second.previous).toEqual({ key: first.key, sha256: first.sha256 });
    expect(latest?.checkpoint.lots).toEqual([
      { gtin: GTIN.romaine, lot: 'C1', seq: 2, hash: d.ledger.lots.get(id)?.headHash },
      { gtin: GTIN.romaine, lot: 'C2', seq: 1, hash: d.ledger.lots.get(`${GTIN.romaine}|C2`)?.headHash },
    ]);
    expect(checkpointIntact(latest?.checkpoint as Checkpoint)).toBe(true);
    expect(checkpointIntact({ ...(latest?.checkpoint as Checkpoint), lotCount: 99 })).toBe(false);
  });

  it('verifies as before when there is no checkpoint yet', async () => {
    const d = await ledgerWithTwoLots();
    const report = await verifyAll(d, undefined, await d.exportFiles.latest());
    expect(report).toMatchObject({ ok: true, lots: 2, failures: [] });
    expect(report.checkpoint).toBeUndefined();
  });

  it('accepts a chain that grew after the checkpoint', async () => {
    const d = await ledgerWithTwoLots();
    await writeCheckpoint(d);
    await recordMovements(d, [mv({ type: 'sell', lot: 'C1', quantity: 1 })]);
    const report = await verifyAll(d, undefined, await d.exportFiles.latest());
    expect(report).toMatchObject({ ok: true, failures: [], checkpoint: { intact: true, lots: 2 } });
  });

  it('catches a chain rewritten consistently, naming the lot and the seq that differ', async () => {
    // Prepare: checkpoint, then rewrite C1's whole chain with recomputed hashes and head.
    const d = await ledgerWithTwoLots();
    await writeCheckpoint(d);
    const forged = forgeChain(d.ledger.entryLog.get(id) ?? [], (e) => ({ ...e, quantity: 1000 }));
    d.ledger.entryLog.set(id, forged);
    const head = d.ledger.lots.get(id);
    if (head) head.headHash = forged.at(-1)?.hash ?? '';
    // Act
    const withoutCheckpoint = await verifyAll(d);
    const all = await verifyAll(d, undefined, await d.exportFiles.latest());
    const one = await verifyLot(d, C1, await d.exportFiles.latest());
    // Assess
    expect(withoutCheckpoint.ok).toBe(true); // the chain is consistent in itself
    expect(all.ok).toBe(false);
    expect(all.failures).toEqual([{ gtin: GTIN.romaine, lot: 'C1', seq: 2, reason: 'checkpoint-hash', problem: expect.any(String) }]);
    expect(one).toMatchObject({ ok: false, reason: 'checkpoint-hash', firstBadSeq: 2 });
  });

  it('catches a chain cut shorter than the checkpoint and a lot that vanished', async () => {
    const d = await ledgerWithTwoLots();
    await writeCheckpoint(d);
    const cut = forgeChain((d.ledger.entryLog.get(id) ?? []).slice(0, 1), (e) => e);
    d.ledger.entryLog.set(id, cut);
    const head = d.ledger.lots.get(id);
    if (head) Object.assign(head, { seq: 1, headHash: cut[0]?.hash });
    d.ledger.lots.delete(`${GTIN.romaine}|C2`);
    d.ledger.entryLog.delete(`${GTIN.romaine}|C2`);
    const report = await verifyAll(d, GTIN.romaine, await d.exportFiles.latest());
    expect(report.failures.map((f) => [f.lot, f.seq, f.reason])).toEqual([
      ['C1', 2, 'checkpoint-truncated'],
      ['C2', 1, 'checkpoint-vanished'],
    ]);
  });

  it('compares a chain with its checkpointed head by seq and hash', () => {
    const cp = { gtin: GTIN.romaine, lot: 'X', seq: 2, hash: 'h2' };
    expect(
      checkAgainstCheckpoint(
        [
          { seq: 1, hash: 'h1' },
          { seq: 2, hash: 'h2' },
          { seq: 3, hash: 'h3' },
        ],
        cp,
      ),
    ).toBeUndefined();
    expect(
      checkAgainstCheckpoint(
        [
          { seq: 1, hash: 'h1' },
          { seq: 2, hash: 'zz' },
        ],
        cp,
      )?.reason,
    ).toBe('checkpoint-hash');
    expect(checkAgainstCheckpoint([{ seq: 1, hash: 'h1' }], cp)).toMatchObject({ seq: 2, reason: 'checkpoint-truncated' });
  });
});
