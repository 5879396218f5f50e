import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chainLot, sweepUnchained } from '../../lib/domain/chain-ledger.js';
import { type LotMeta, lotId, type PendingEntry, type Plan } from '../../lib/domain/ledger.js';
import type { CommitOutcome } from '../../lib/domain/ledger-ports.js';
import { DynamoLedgerStore } from '../../lib/store/dynamo-ledger-store.js';

/**
 * The DynamoDB ledger store with the real sequencer run right after each write that commits, before the write
 * returns: what the stream-driven job does within a second, done at once, so a test can read the chain of what it
 * just wrote. Tests of the deferred chaining itself use the plain store (`depsFor(..., { chain: 'deferred' })`).
 */
export class ChainingLedgerStore extends DynamoLedgerStore {
  /** one sequencer per lot, as the stream gives: runs for a lot queue behind each other (lotId -> the last run) */
  private readonly runs = new Map<string, Promise<unknown>>();

  private async chained(pending: PendingEntry[]) {
    const lots = [...new Map(pending.map((p) => [lotId(p), { gtin: p.gtin, lot: p.lot }])).values()];
    await Promise.all(
      lots.map((k) => {
        const run = (this.runs.get(lotId(k)) ?? Promise.resolve()).catch(() => undefined).then(() => chainLot({ ledger: this }, k));
        this.runs.set(lotId(k), run);
        return run.finally(() => {
          if (this.runs.get(lotId(k)) === run) this.runs.delete(lotId(k));
        });
      }),
    );
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

  override async commitLotChange(expectedStatusVersion: number, next: LotMeta, pending: PendingEntry): Promise<boolean> {
    try {
      return await super.commitLotChange(expectedStatusVersion, next, pending);
    } finally {
      await this.chained([pending]).catch(() => undefined);
    }
  }
}

/** Chain whatever is pending in the table (for tests that write with deferred chaining). */
export const chainAll = (doc: DynamoDBDocumentClient, table: string) => sweepUnchained({ ledger: new DynamoLedgerStore(doc, table) });
