import { q3 } from './ledger.js';
import { type Counts, countsOf, stateOf, zeroCounts } from './notice-counts.js';
import { type Affected, affectedOf, shardsForAnswer } from './recall-answer.js';
import type { Ack, EffectivenessCheck, Notice, RecallRecord, RecallStore, ShardReader } from './recall-store.js';
import { requireRecall } from './recall-store.js';

/** The contract's `{total, written, published, delivered, acknowledged, failed}`, and how many are not notifiable, pending, followed up. */
export type NoticeCounts = { total: number } & Counts;

export type RecallStatus = Omit<RecallRecord, 'requestHash'> & {
  affected: Affected;
  notices: NoticeCounts;
  effectiveness: { unitsAtRisk: number; unitsAccountedFor: number; percent: number };
  effectivenessChecks: { level: string | null; required: number; done: number; stillNeeded: number };
};

/** GET /recalls/{id}: the recall, its notices' progress, its effectiveness and the checks its level still needs. */
export async function recallStatus(d: { recalls: RecallStore & ShardReader }, recallId: string): Promise<RecallStatus> {
  const r = await requireRecall(d.recalls, recallId);
  const [shards, counts, acks, checks] = await Promise.all([
    d.recalls.shards(recallId, shardsForAnswer),
    r.noticeCounters ? d.recalls.noticeCounts(recallId) : d.recalls.notices(recallId).then((ns) => recountNotices(r.noticesTotal, ns)),
    d.recalls.acks(recallId),
    d.recalls.checks(recallId),
  ]);
  const { requestHash: _h, noticeCounters: _c, ...rest } = r;
  return {
    ...rest,
    affected: affectedOf(r, shards),
    notices: { ...counts, total: r.noticesTotal },
    effectiveness: effectiveness(r.unitsAtRisk, acks, r.noticesTotal),
    effectivenessChecks: checksNeeded(r.effectivenessLevel, r.noticesTotal, checks),
  };
}

/**
 * The counters recounted from every notice: what the kept counters must equal (the tests compare them; a repair job
 * could rewrite them from it). `acknowledged` counts notices with an acknowledgement, as the counters do.
 */
export function recountNotices(total: number, notices: Notice[]): NoticeCounts {
  const c = zeroCounts();
  for (const n of notices) {
    const one = countsOf(stateOf(n));
    for (const k of Object.keys(c) as (keyof Counts)[]) c[k] += one[k];
  }
  return { total, ...c };
}

/** The share of consignees each level of 21 CFR 7.42(b)(3) checks: A all, B more than 10 %, C 10 %, D 2 %, E none. */
const LEVEL_SHARE = { A: 1, B: 0.1, C: 0.1, D: 0.02, E: 0 } as const;

/**
 * How many effectiveness checks a level asks for out of `consignees`, and how many distinct consignees were checked.
 * @example checksNeeded('C', 50, []) // { level: 'C', required: 5, done: 0, stillNeeded: 5 }
 * @example checksNeeded('B', 50, []).required // 6: more than 10 %
 */
export function checksNeeded(level: string | undefined, consignees: number, checks: Pick<EffectivenessCheck, 'siteId'>[]) {
  const share = level && Object.hasOwn(LEVEL_SHARE, level) ? LEVEL_SHARE[level as keyof typeof LEVEL_SHARE] : undefined;
  let required = share === undefined ? 0 : Math.ceil(consignees * share);
  if (level === 'B' && share !== undefined) required = Math.min(consignees, Math.floor(consignees * share) + 1);
  const done = new Set(checks.map((c) => c.siteId)).size;
  return { level: level ?? null, required, done, stillNeeded: Math.max(0, required - done) };
}

/**
 * Units accounted for = what responders report removed plus what they still hold (now known and quarantined).
 * With nothing at risk, the share of consignees that answered.
 * @example effectiveness(10, [{ quantityOnHand: 1, quantityRemoved: 4 }], 3) // { unitsAtRisk: 10, unitsAccountedFor: 5, percent: 50 }
 */
export function effectiveness(unitsAtRisk: number, acks: Pick<Ack, 'quantityOnHand' | 'quantityRemoved'>[], noticesTotal: number) {
  const accounted = q3(acks.reduce((s, a) => s + a.quantityRemoved + a.quantityOnHand, 0));
  const percent =
    unitsAtRisk > 0
      ? Math.min(100, Math.round((accounted / unitsAtRisk) * 1000) / 10)
      : noticesTotal > 0
        ? Math.round((acks.length / noticesTotal) * 1000) / 10
        : 100;
  return { unitsAtRisk, unitsAccountedFor: accounted, percent };
}
