import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chainLot, sweepUnchained } from '../../lib/domain/chain-ledger.js';
import type { Clock } from '../../lib/domain/clock.js';
import { type LotKey, lotId, type PendingEntry, type Plan } from '../../lib/domain/ledger.js';
import type { CommitOutcome } from '../../lib/domain/ledger-ports.js';
import type { LotChange } from '../../lib/domain/lots.js';
import { DynamoLedgerStore } from '../../lib/store/dynamo-ledger-store.js';

/**
 * The DynamoDB ledger store with the real sequencer run right after each write that commits, before the write
 * returns: what the stream-driven job does within a second, done at once, so a test can read the chain of what it
 * just wrote. Tests of the deferred chaining itself use the plain store (`depsFor(..., { chain: 'deferred' })`).
 */
export class ChainingLedgerStore extends DynamoLedgerStore {
  /**
   * One sequencer per lot, as the stream gives: a lot has at most one run going and one queued; a write that finds a
   * run queued joins it (that run starts after the write committed, so it chains the write's entries too).
   */
  private readonly runs = new Map<string, { running: Promise<unknown>; queued?: Promise<unknown> }>();

  private chainOne(k: LotKey): Promise<unknown> {
    const id = lotId(k);
    const cur = this.runs.get(id);
    if (cur?.queued) return cur.queued;
    const start = (): Promise<unknown> => {
      const running = chainLot({ ledger: this }, k).finally(() => {
        const now = this.runs.get(id);
        if (now?.running === running && !now.queued) this.runs.delete(id);
      });
      return running;
    };
    if (!cur) {
      const running = start();
      this.runs.set(id, { running });
      return running;
    }
    const queued = cur.running
      .catch(() => undefined)
      .then(() => {
        const running = start();
        this.runs.set(id, { running });
        return running;
      });
    cur.queued = queued;
    return queued;
  }

  private async chained(pending: PendingEntry[]) {
    const lots = [...new Map(pending.map((p) => [lotId(p), { gtin: p.gtin, lot: p.lot }])).values()];
    await Promise.all(lots.map((k) => this.chainOne(k)));
  }

  // Chained whatever the outcome: a commit whose response was lost did land, and the stream would chain it.
  override async commit(plan: Plan): Promise<CommitOutcome> {
    try {
      return await super.commit(plan);
    } finally {
      await this.chained(plan.pending).catch(() => undefined);
    }
  }

  override async commitMany(plans: Plan[]): Promise<boolean> {
    try {
      return await super.commitMany(plans);
    } finally {
      await this.chained(plans.flatMap((p) => p.pending)).catch(() => undefined);
    }
  }

  override async commitLotChanges(changes: readonly LotChange[]): Promise<boolean> {
    try {
      return await super.commitLotChanges(changes);
    } finally {
      await this.chained(changes.map((c) => c.pending)).catch(() => undefined);
    }
  }
}

/** Chain whatever is pending in the table (for tests that write with deferred chaining). */
export const chainAll = (doc: DynamoDBDocumentClient, table: string, clock?: Clock) =>
  sweepUnchained({ ledger: new DynamoLedgerStore(doc, table), ...(clock ? { clock } : {}) });
