import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { makeAnchorJob } from '../../functions/anchor-job.js';
import { makeVerifyLedgerJob } from '../../functions/verify-ledger-job.js';
import { lotHeadStreamEvent } from '../../infra/local/job-runners.js';
import { lambdaContext } from '../../infra/local/lambda-event.js';
import { readAnchorTrail } from '../../lib/domain/anchor-trail.js';
import { type Anchor, anchorIntact } from '../../lib/domain/anchors.js';
import { type Clock, fixedClock } from '../../lib/domain/clock.js';
import type { LotKey } from '../../lib/domain/ledger.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { verifyAll, verifyLot } from '../../lib/domain/verify-ledger.js';
import { writeAnchor } from '../../lib/domain/write-anchor.js';
import { writeCheckpoint } from '../../lib/domain/write-checkpoint.js';
import { FakeAlertPublisher } from '../support/alerts.js';
import { GTIN, mv } from '../support/fixtures.js';
import { MemoryBucket } from '../support/memory-bucket.js';
import { memoryLedger } from '../support/memory-ledger.js';
import { forgeChain } from '../support/rewrite.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
/** The clock `seconds` after T0: one anchor interval is 300 s. */
const at = (seconds: number): Clock => fixedClock(new Date(T0 + seconds * 1000).toISOString());
const A1 = { gtin: GTIN.romaine, lot: 'A1' };
const A2 = { gtin: GTIN.romaine, lot: 'A2' };
const idOf = (k: LotKey) => `${k.gtin}|${k.lot}`;

async function anchoredLedger() {
  const d = await memoryLedger();
  const exportFiles = new MemoryBucket();
  const heads = async (lots: LotKey[]) => (await Promise.all(lots.map((k) => d.ledger.getLot(k)))).filter((l) => l !== undefined);
  const anchorDeps = (clock: Clock) => ({ ...d, exportFiles, heads, clock });
  await recordMovements(d, [
    mv({ type: 'receive', lot: 'A1', quantity: 10, counterparty: 'farm-1' }),
    mv({ type: 'sell', lot: 'A1', quantity: 2 }),
    mv({ type: 'receive', lot: 'A2', quantity: 5, counterparty: 'farm-1' }),
  ]);
  return { ...d, exportFiles, heads, anchorDeps };
}

/** A careful forger: rewrite the lot's whole chain (quantities changed), hashes and head recomputed. */
function rewrite(d: Awaited<ReturnType<typeof anchoredLedger>>, k: LotKey) {
  const forged = forgeChain(d.ledger.entryLog.get(idOf(k)) ?? [], (e) => ({ ...e, quantity: 1000 }));
  d.ledger.entryLog.set(idOf(k), forged);
  const head = d.ledger.lots.get(idOf(k));
  if (head) head.headHash = forged.at(-1)?.hash ?? '';
}

const verifyWithAnchors = async (d: Awaited<ReturnType<typeof anchoredLedger>>) => {
  const cp = await d.exportFiles.latest();
  return verifyAll(d, undefined, cp, await readAnchorTrail(d.exportFiles, cp));
};

describe('ledger anchors', () => {
  it('catches a consistent rewrite made one anchor interval after the heads were anchored, by verify and by the nightly job', async () => {
    // Prepare: no checkpoint yet (a fresh stack); the anchor job anchors both lots 300 s after they were written.
    const d = await anchoredLedger();
    const job = makeAnchorJob({ ...d.anchorDeps(at(300)), logger: new Logger({ serviceName: 'test' }) });
    const first = await job(lotHeadStreamEvent([A1, A2]), lambdaContext('anchor-job'));
    expect(first).toMatchObject({ heads: 2, previous: null });
    // Act: 600 s in, the forger rewrites A1; the stream hands the rewritten head to the anchor job, which anchors it too.
    rewrite(d, A1);
    const second = await writeAnchor(d.anchorDeps(at(600)), [A1]);
    const all = await verifyWithAnchors(d);
    const one = await verifyLot(d, A1, undefined, await readAnchorTrail(d.exportFiles));
    const alertPublisher = new FakeAlertPublisher();
    const nightly = makeVerifyLedgerJob({ ...d, alertPublisher, clock: at(900), logger: new Logger({ serviceName: 'test' }) });
    const run = await nightly({}, lambdaContext('verify-ledger-job'));
    // Assess
    expect(second.heads).toBe(1);
    expect((await verifyAll(d)).ok).toBe(true); // the chain is consistent in itself
    expect(all).toMatchObject({ ok: false, anchors: { count: 2, intact: true } });
    expect(all.failures).toEqual([{ gtin: GTIN.romaine, lot: 'A1', seq: 2, reason: 'anchor-hash', problem: expect.any(String) }]);
    expect(one).toMatchObject({ ok: false, reason: 'anchor-hash', firstBadSeq: 2 });
    expect(run).toMatchObject({ ok: false, alerted: true });
    expect(alertPublisher.sent).toHaveLength(1);
    expect(alertPublisher.sent[0]?.attributes).toEqual({ eventType: 'ledger.tamper', audience: 'quality' });
    expect(alertPublisher.sent[0]?.body).toMatchObject({ failures: [{ lot: 'A1', seq: 2, reason: 'anchor-hash' }] });
  });

  it('catches a lot cut shorter than its anchored head and a lot that vanished after being anchored', async () => {
    const d = await anchoredLedger();
    await writeCheckpoint({ ...d, clock: at(0) });
    await recordMovements(d, [mv({ type: 'sell', lot: 'A1', quantity: 1 })]);
    await writeAnchor(d.anchorDeps(at(300)), [A1]);
    const cut = forgeChain((d.ledger.entryLog.get(idOf(A1)) ?? []).slice(0, 2), (e) => e);
    d.ledger.entryLog.set(idOf(A1), cut);
    Object.assign(d.ledger.lots.get(idOf(A1)) ?? {}, { seq: 2, headHash: cut.at(-1)?.hash });
    const report = await verifyWithAnchors(d);
    expect(report.failures.map((f) => [f.lot, f.seq, f.reason])).toEqual([['A1', 3, 'anchor-truncated']]);
  });

  it('does not let the next checkpoint record a rewrite made after an anchor: it carries the anchored head forward', async () => {
    // Prepare: anchored at 300 s, rewritten consistently at 600 s, and the daily checkpoint runs at 700 s.
    const d = await anchoredLedger();
    await writeAnchor(d.anchorDeps(at(300)), [A1, A2]);
    const anchoredA1 = (await d.ledger.chainHead(A1))?.headHash;
    rewrite(d, A1);
    // Act
    const cp = await writeCheckpoint({ ...d, clock: at(700) });
    await recordMovements(d, [mv({ type: 'sell', lot: 'A2', quantity: 1 })]);
    const later = await writeCheckpoint({ ...d, clock: at(800) });
    // Assess: A1 is disputed and its anchored head carried forward, A2 recorded as the table has it; verify still fails.
    expect(cp.disputed).toEqual([A1]);
    const stored = await d.exportFiles.latest();
    expect(stored?.checkpoint.lots.find((l) => l.lot === 'A1')).toMatchObject({ seq: 2, hash: anchoredA1 });
    expect(stored?.checkpoint.lots.find((l) => l.lot === 'A2')).toMatchObject({ seq: 2, hash: (await d.ledger.chainHead(A2))?.headHash });
    expect(later.disputed).toEqual([A1]);
    const report = await verifyWithAnchors(d);
    expect(report.failures.map((f) => [f.lot, f.reason])).toEqual([['A1', 'checkpoint-hash']]);
  });

  it('passes a ledger that only grew since its anchors', async () => {
    const d = await anchoredLedger();
    await writeAnchor(d.anchorDeps(at(300)), [A1, A2]);
    await recordMovements(d, [mv({ type: 'sell', lot: 'A1', quantity: 1 })]);
    await writeAnchor(d.anchorDeps(at(600)), [A1]);
    await recordMovements(d, [mv({ type: 'sell', lot: 'A1', quantity: 1 })]);
    expect(await verifyWithAnchors(d)).toMatchObject({ ok: true, failures: [], anchors: { count: 2, intact: true } });
  });

  it('chains each anchor to the one before, through the checkpoint, and notices a broken seal or link', async () => {
    // Prepare
    const d = await anchoredLedger();
    const a = await writeAnchor(d.anchorDeps(at(300)), [A1, A2]);
    await writeCheckpoint({ ...d, clock: at(400) });
    await recordMovements(d, [mv({ type: 'sell', lot: 'A1', quantity: 1 })]);
    const b = await writeAnchor(d.anchorDeps(at(600)), [A1]);
    await recordMovements(d, [mv({ type: 'sell', lot: 'A2', quantity: 1 })]);
    const c = await writeAnchor(d.anchorDeps(at(900)), [A2]);
    const cp = await d.exportFiles.latest();
    // Assess: b names a (which the checkpoint recorded), c names b; only the anchors after the checkpoint are read.
    expect(cp?.checkpoint.anchor).toEqual({ key: a.key, sha256: (d.exportFiles.files.get(a.key ?? '') as Anchor).sha256 });
    expect(b.previous?.key).toBe(a.key);
    expect(c.previous?.key).toBe(b.key);
    const trail = await readAnchorTrail(d.exportFiles, cp);
    expect(trail).toMatchObject({ intact: true, anchors: [{ key: b.key }, { key: c.key }] });
    expect(trail.anchors.every((x) => anchorIntact(x.anchor))).toBe(true);
    // Act: edit b's heads in place (as if Object Lock were off), then forge c's link to a re-sealed b.
    const bFile = d.exportFiles.files.get(b.key ?? '') as Anchor;
    d.exportFiles.files.set(b.key ?? '', { ...bFile, heads: [] });
    const sealBroken = await readAnchorTrail(d.exportFiles, cp);
    const { sha256: _s, ...body } = { ...bFile, heads: [] };
    const { hashOf } = await import('../../lib/domain/canonical.js');
    d.exportFiles.files.set(b.key ?? '', { ...body, sha256: hashOf(body) });
    const linkBroken = await readAnchorTrail(d.exportFiles, cp);
    // Assess
    expect(sealBroken).toMatchObject({ intact: false, problem: expect.stringContaining('does not hash') });
    expect(linkBroken).toMatchObject({ intact: false, problem: expect.stringContaining(`does not name ${b.key}`) });
    expect(await verifyAll(d, undefined, cp, linkBroken)).toMatchObject({ ok: false, anchors: { intact: false } });
  });

  it('writes nothing when a stream batch is delivered again', async () => {
    // Prepare
    const d = await anchoredLedger();
    const job = makeAnchorJob({ ...d.anchorDeps(at(300)), logger: new Logger({ serviceName: 'test' }) });
    const event = lotHeadStreamEvent([A1, A2, A1]);
    // Act
    const first = await job(event, lambdaContext('anchor-job'));
    const again = await makeAnchorJob({ ...d.anchorDeps(at(310)), logger: new Logger({ serviceName: 'test' }) })(event, lambdaContext('anchor-job'));
    // Assess
    expect(first).toMatchObject({ heads: 2 });
    expect(again).toMatchObject({ key: null, heads: 0, previous: { key: first.key } });
    expect(await d.exportFiles.anchorKeys()).toEqual([first.key]);
  });

  it('sweeps every head not anchored yet when run by its schedule (no Records)', async () => {
    const d = await anchoredLedger();
    await writeAnchor(d.anchorDeps(at(300)), [A1]);
    const job = makeAnchorJob({ ...d.anchorDeps(at(600)), logger: new Logger({ serviceName: 'test' }) });
    const swept = await job({}, lambdaContext('anchor-job'));
    const again = await makeAnchorJob({ ...d.anchorDeps(at(900)), logger: new Logger({ serviceName: 'test' }) })({}, lambdaContext('anchor-job'));
    expect(swept).toMatchObject({ heads: 1 });
    expect((d.exportFiles.files.get(swept.key ?? '') as Anchor).heads.map((h) => h.lot)).toEqual(['A2']);
    expect(again).toMatchObject({ key: null, heads: 0 });
  });
});
