import type { EventRecord, LotRead, Plan, SerialState, Snapshot } from './ledger.js';
import type { Product, Site } from './master-data.js';
import type { Movement } from './movement.js';

/** Per-batch cache of master data, so 500 records of one product read it once; `null` = known to be absent. */
export type MasterCache = { products: Map<string, Product | null>; sites: Map<string, Site | null> };

export type CommitOutcome = 'committed' | 'event-exists' | 'conflict';

/** Storage port of the ledger. */
export interface LedgerStore {
  /** A consistent read of everything the movement's rules need. */
  snapshot(m: Movement, cache: MasterCache): Promise<Snapshot>;
  /** Write the plan in one transaction, guarded by the versions it was planned from. */
  commit(plan: Plan): Promise<CommitOutcome>;
  getEvent(eventId: string): Promise<EventRecord | undefined>;
}

/** A consistent view of many records' state: lots with the stock heads read; serials are keyed `gtin|serial`. */
export type Overlay = { events: Map<string, EventRecord>; lots: Map<string, LotRead>; serials: Map<string, SerialState> };

/** The optional fast path of a ledger store: bulk reads, and many plans committed in one transaction. */
export interface BulkLedgerStore extends LedgerStore {
  readMany(ms: Movement[], cache: MasterCache): Promise<Overlay>;
  /** all plans or none; false when a condition failed or the transaction conflicted */
  commitMany(plans: Plan[]): Promise<boolean>;
  /** how many actions these plans need together, after merging writes to the same lot or serial */
  mergedActions(plans: Plan[]): number;
}

export const isBulk = (s: LedgerStore): s is BulkLedgerStore => 'commitMany' in s && 'readMany' in s;
