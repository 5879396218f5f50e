import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lotReport } from '../../lib/domain/lot-report.js';
import { lotMovementsPage } from '../../lib/domain/movements-page.js';
import { decodeCursor, encodeCursor } from '../../lib/domain/paging.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { movementsPage, type TracedLot } from '../../lib/domain/trace.js';
import { verifyAll, verifyAllPage } from '../../lib/domain/verify-ledger.js';
import { httpHandler } from '../../lib/http/handler.js';
import { json } from '../../lib/http/http.js';
import { answerBytes, MAX_ANSWER_BYTES } from '../../lib/http/size-guard.js';
import { GTIN, mv } from '../support/fixtures.js';
import { call } from '../support/http.js';
import { memoryLedger } from '../support/memory-ledger.js';

const logger = new Logger({ serviceName: 'lotledger', logLevel: 'SILENT' });

/** A handler answering a JSON string body of `chars` characters. */
const answering = (chars: number) => httpHandler({ logger }, async () => json(200, 'x'.repeat(chars)));
/** The characters of such a body that make the whole answer exactly `bytes`. */
const charsFor = (bytes: number) => bytes - answerBytes(json(200, ''));

describe('the answer size guard', () => {
  it('lets an answer of exactly 6 MB through and refuses one byte more with a 413 naming limit', async () => {
    const at = await call<string>(answering(charsFor(MAX_ANSWER_BYTES)), 'GET', '/health');
    expect(at.status).toBe(200);
    expect(at.body.length).toBe(charsFor(MAX_ANSWER_BYTES));
    const over = await call(answering(charsFor(MAX_ANSWER_BYTES) + 1), 'GET', '/health');
    expect(over).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large', details: [{ path: 'limit' }] } } });
  });
});

describe('cursors', () => {
  const Position = z.strictObject({ l: z.string() });
  it('round-trip, and anything else is 400 validation_failed naming cursor', () => {
    expect(decodeCursor(Position, encodeCursor({ l: 'A1' }))).toEqual({ l: 'A1' });
    for (const bad of ['not-base64!', encodeCursor({ l: 3 }), encodeCursor({ l: 'A', x: 1 }), encodeCursor(null), 'e30'])
      expect(() => decodeCursor(Position, bad)).toThrow(
        expect.objectContaining({ code: 'validation_failed', details: [{ path: 'cursor', message: 'invalid cursor' }] }),
      );
  });
});

describe('trace movement pages', () => {
  it('stop at the byte budget however large the entries, and resume where they stopped', async () => {
    // Prepare: 1,000 entries of ~10 KB each, 10 MB in all: a count limit alone would break Lambda's 6 MB.
    const d = await memoryLedger();
    await recordMovements(d, [mv({ type: 'receive', lot: 'BIG', quantity: 100_000, counterparty: 'farm-1' })]);
    const [first] = await d.ledger.allEntries({ gtin: GTIN.romaine, lot: 'BIG' });
    const entries = Array.from({ length: 1000 }, (_, i) => ({ ...first, seq: i + 1, note: 'n'.repeat(10_000) }));
    const traced = [{ lot: d.ledger.lots.get(`${GTIN.romaine}|BIG`), entries, depth: 0 } as unknown as TracedLot];
    const budget = 4 * 1024 * 1024;
    // Act
    const p1 = movementsPage(traced, 1000, budget);
    const p2 = movementsPage(traced, 1000, budget, p1.next);
    const p3 = movementsPage(traced, 1000, budget, p2.next);
    // Assess
    expect(Buffer.byteLength(JSON.stringify(p1.movements))).toBeLessThanOrEqual(budget);
    expect(p1.movements.length).toBeGreaterThan(300);
    expect(p1.movements.length).toBeLessThan(1000);
    expect([...p1.movements, ...p2.movements, ...p3.movements].map((e) => e.seq)).toEqual(entries.map((e) => e.seq));
    expect(p3.next).toBeUndefined();
  });
});

describe('lot movement pages', () => {
  it('are cut short below the byte budget when entries are large, and the cursor resumes after the last one kept', async () => {
    // Prepare: 400 entries of ~30 KB (12 MB): even limit=1000 must not answer them at once.
    const d = await memoryLedger();
    const k = { gtin: GTIN.romaine, lot: 'HUGE' };
    await recordMovements(d, [mv({ type: 'receive', ...k, quantity: 10, counterparty: 'farm-1' })]);
    const [first] = await d.ledger.allEntries(k);
    d.ledger.entryLog.set(
      `${k.gtin}|${k.lot}`,
      Array.from({ length: 400 }, (_, i) => ({ ...first, seq: i + 1, note: 'n'.repeat(30_000) }) as never),
    );
    // Act
    const seqs: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await lotMovementsPage(d, k, 1000, cursor);
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThan(MAX_ANSWER_BYTES);
      seqs.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    // Assess
    expect(seqs).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });
});

describe('verify-all and lot report pages', () => {
  it('cover every lot once, page by page, with the same totals as one pass', async () => {
    const d = await memoryLedger();
    const lots = Array.from({ length: 11 }, (_, i) => `P${String(i).padStart(2, '0')}`);
    await recordMovements(
      d,
      lots.flatMap((lot) => [
        mv({ type: 'receive', lot, quantity: 10, counterparty: 'farm-1', occurredAt: '2026-02-01T10:00:00Z' }),
        mv({ type: 'sell', lot, quantity: 1, occurredAt: '2026-02-02T10:00:00Z' }),
      ]),
    );
    d.ledger.partitionPage = 2; // every lot's chain spans pages
    let cursor: string | undefined;
    let pages = 0;
    let checked = 0;
    let entries = 0;
    do {
      const page = await verifyAllPage(d, { gtin: GTIN.romaine, limit: 4, ...(cursor ? { cursor } : {}) });
      expect(page.ok).toBe(true);
      expect(page.lots).toBeLessThanOrEqual(4);
      pages++;
      checked += page.lots;
      entries += page.entries;
      cursor = page.nextCursor;
    } while (cursor);
    expect([pages, checked, entries]).toEqual([3, 11, 22]);
    expect(await verifyAll(d, GTIN.romaine)).toMatchObject({ ok: true, lots: 11, entries, failures: [] });

    const reported: string[] = [];
    cursor = undefined;
    do {
      const page = await lotReport(d, GTIN.romaine, null, null, { limit: 3, ...(cursor ? { cursor } : {}) });
      reported.push(...page.lots.map((l) => l.lot));
      expect(page.lots.every((l) => l.received === 10 && l.sold === 1)).toBe(true);
      cursor = page.nextCursor;
    } while (cursor);
    expect(reported).toEqual(lots);
  });
});
