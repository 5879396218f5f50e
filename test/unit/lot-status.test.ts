import { describe, expect, it, vi } from 'vitest';
import { changeLotStatus } from '../../lib/domain/lots.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { GTIN, mv } from '../support/fixtures.js';
import { memoryLedger } from '../support/memory-ledger.js';

const lot = { gtin: GTIN.romaine, lot: 'L1' };

async function receivedLot() {
  const d = await memoryLedger();
  await recordMovements(d, [mv({ type: 'receive', counterparty: 'farm-1', expiry: '2026-03-20' })]);
  return d;
}

describe('changing a lot status', () => {
  it('reads and plans again when another writer moved the lot first', async () => {
    // Prepare
    const d = await receivedLot();
    const commit = vi.spyOn(d.ledger, 'commitLotChange').mockResolvedValueOnce(false).mockResolvedValueOnce(false);
    // Act
    const view = await changeLotStatus(d, lot, 'hold', 'QA check', 'req-1');
    // Assess
    expect(view.status).toBe('on-hold');
    expect(commit).toHaveBeenCalledTimes(3);
  });

  it('answers busy after ten attempts that all lost the race, and changes nothing', async () => {
    // Prepare
    const d = await receivedLot();
    const commit = vi.spyOn(d.ledger, 'commitLotChange').mockResolvedValue(false);
    // Act
    const run = changeLotStatus(d, lot, 'hold', 'QA check', 'req-1');
    // Assess
    await expect(run).rejects.toMatchObject({ code: 'busy', message: 'Lot L1 is changing too fast to hold; try again' });
    expect(commit).toHaveBeenCalledTimes(10);
    expect((await d.ledger.getLot(lot))?.status).toBe('active');
  });

  it('does not retry a refusal: a recalled lot is neither held nor released', async () => {
    // Prepare
    const d = await receivedLot();
    const current = await d.ledger.getLot(lot);
    if (!current) throw new Error('fixture lot missing');
    const read = vi.spyOn(d.ledger, 'getLot').mockResolvedValue({ ...current, status: 'recalled' });
    // Act
    const run = changeLotStatus(d, lot, 'release', 'QA done', 'req-2');
    // Assess
    await expect(run).rejects.toMatchObject({ code: 'invalid_state' });
    expect(read).toHaveBeenCalledTimes(1);
  });
});
