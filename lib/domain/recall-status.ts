import { q3 } from './ledger.js';
import { type Affected, affectedOf } from './recall-answer.js';
import { type Ack, type RecallRecord, type RecallStore, requireRecall } from './recall-store.js';

export type RecallStatus = RecallRecord & {
  affected: Affected;
  notices: { total: number; published: number; pending: number; acknowledged: number; followUps: number };
  effectiveness: { unitsAtRisk: number; unitsAccountedFor: number; percent: number };
};

/** GET /recalls/{id}: the recall, its notices' progress and its effectiveness so far. */
export async function recallStatus(d: { recalls: RecallStore }, recallId: string): Promise<RecallStatus> {
  const r = await requireRecall(d.recalls, recallId);
  const [notices, acks] = await Promise.all([d.recalls.notices(recallId), d.recalls.acks(recallId)]);
  return {
    ...r,
    affected: affectedOf(r, notices),
    notices: {
      total: notices.length,
      published: notices.filter((n) => n.firstPublishedAt !== undefined).length,
      pending: notices.filter((n) => n.status === 'pending').length,
      acknowledged: acks.length,
      followUps: notices.reduce((s, n) => s + n.followUp, 0),
    },
    effectiveness: effectiveness(r.unitsAtRisk, acks, notices.length),
  };
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
