import { type ChainStore, chainLots, type Sealed, sweepUnchained } from '../../lib/domain/chain-ledger.js';
import type { ClaimRecord, ClaimStore, ReplacementLink } from '../../lib/domain/claim-records.js';
import type { Gtin } from '../../lib/domain/ids.js';
import {
  aggregateLot,
  type EventRecord,
  keysOf,
  type LedgerEntry,
  type LotKey,
  type LotMeta,
  type LotRead,
  type LotState,
  lotId,
  type PendingEntry,
  type Plan,
  type SerialRef,
  type SerialState,
  type Snapshot,
  type StockHead,
  withClaims,
} from '../../lib/domain/ledger.js';
import type { BulkLedgerStore, CommitOutcome, MasterCache, Overlay } from '../../lib/domain/ledger-ports.js';
import type { LotStore } from '../../lib/domain/lots.js';
import type { MasterDataStore, Product, Site } from '../../lib/domain/master-data.js';
import type { Movement } from '../../lib/domain/movement.js';

/** In-memory master data, for domain tests. */
export class InMemoryMasterData implements MasterDataStore {
  products = new Map<string, Product>();
  sites = new Map<string, Site>();
  async putProduct(p: Product) {
    this.products.set(p.gtin, structuredClone(p));
    return p;
  }
  async getProduct(gtin: Gtin) {
    return structuredClone(this.products.get(gtin));
  }
  async putSite(s: Site) {
    // as the table store: a record without contact keeps the contact details on file
    const kept = s.contact === undefined ? this.sites.get(s.siteId)?.contact : undefined;
    this.sites.set(s.siteId, structuredClone(kept ? { ...s, contact: kept } : s));
    return s;
  }
  async getSite(siteId: string) {
    return structuredClone(this.sites.get(siteId));
  }
  async getSites(ids: Iterable<string>) {
    return new Map([...new Set(ids)].flatMap((id) => (this.sites.has(id) ? [[id, structuredClone(this.sites.get(id) as Site)] as const] : [])));
  }
}

/**
 * In-memory ledger with the same conditional-commit semantics as the DynamoDB store: all or nothing, guarded by
 * versions; lot metas, stock heads, pending entries and chained entries as separate records. By default every commit
 * is chained at once by the real sequencer (chainLot), as `depsFor` does over DynamoDB Local, so tests may read the
 * chain right after a write; `{ chain: 'deferred' }` leaves the pending entries for `chainAll()`.
 */
export class InMemoryLedger implements BulkLedgerStore, LotStore, ChainStore, ClaimStore {
  /** commitMany calls, to see the fast path at work */
  groupCommits = 0;
  events = new Map<string, EventRecord>();
  /** lot metas (status and chain head) by lotId; tests may rewrite them as a forger would */
  lots = new Map<string, LotMeta>();
  /** stock heads by lotId, then siteId */
  heads = new Map<string, Map<string, StockHead>>();
  /** pending entries by lotId, then sort key */
  pendingLog = new Map<string, Map<string, PendingEntry>>();
  entryLog = new Map<string, LedgerEntry[]>();
  serials = new Map<string, SerialState>();
  /** warranty claims by lotId, then `serial|claimId`; replacement links by lotId, then `serial|replaces|claimId` */
  claims = new Map<string, Map<string, ClaimRecord>>();
  links = new Map<string, Map<string, ReplacementLink>>();
  commits = 0;
  private readonly deferred: boolean;
  constructor(
    private readonly master: InMemoryMasterData,
    opts: { chain?: 'sync' | 'deferred' } = {},
  ) {
    this.deferred = opts.chain === 'deferred';
  }

  private read(k: LotKey): LotRead | undefined {
    const meta = this.lots.get(lotId(k));
    if (!meta) return undefined;
    return {
      meta: structuredClone(meta),
      heads: new Map([...(this.heads.get(lotId(k)) ?? new Map<string, StockHead>())].map(([s, h]) => [s, structuredClone(h)])),
    };
  }

  /** Every lot as its readers see it (meta with stock heads summed). */
  lotStates(): LotState[] {
    return [...this.lots.keys()].map((id) => this.lotState(id)).filter((l): l is LotState => l !== undefined);
  }

  private lotState(id: string): LotState | undefined {
    const meta = this.lots.get(id);
    if (!meta) return undefined;
    const lot = aggregateLot(meta, (this.heads.get(id) ?? new Map()).values(), this.pendingLog.get(id)?.size ?? 0);
    return structuredClone(withClaims(lot, this.claims.get(id)?.size ?? 0));
  }

  async snapshot(m: Movement, _cache: MasterCache): Promise<Snapshot> {
    const k = keysOf(m);
    const snap: Snapshot = { lots: new Map(), serials: new Map(), products: new Map(), sites: new Map() };
    const ev = this.events.get(m.eventId);
    if (ev) snap.event = structuredClone(ev);
    for (const l of k.lots) {
      const r = this.read(l);
      if (r) snap.lots.set(lotId(l), r);
    }
    for (const s of k.serials) {
      const st = this.serials.get(`${m.gtin}|${s}`);
      if (st) snap.serials.set(s, structuredClone(st));
    }
    for (const g of k.gtins) {
      const p = this.master.products.get(g);
      if (p) snap.products.set(g, p);
    }
    for (const s of k.sites) {
      const site = this.master.sites.get(s);
      if (site) snap.sites.set(s, site);
    }
    return snap;
  }

  async readMany(ms: Movement[], cache: MasterCache): Promise<Overlay> {
    const overlay: Overlay = { events: new Map(), lots: new Map(), serials: new Map() };
    for (const m of ms) {
      const snap = await this.snapshot(m, cache);
      if (snap.event) overlay.events.set(m.eventId, snap.event);
      for (const [k, v] of snap.lots) overlay.lots.set(k, v);
      for (const [k, v] of snap.serials) overlay.serials.set(`${m.gtin}|${k}`, v);
      for (const [k, v] of snap.products) cache.products.set(k, v);
      for (const [k, v] of snap.sites) cache.sites.set(k, v);
    }
    return overlay;
  }

  mergedActions(plans: Plan[]): number {
    const creates = new Set(plans.flatMap((p) => p.lots.filter((l) => l.create).map((l) => lotId(l.key))));
    const heads = new Set(plans.flatMap((p) => p.lots.flatMap((l) => l.heads.map((h) => JSON.stringify([h.next.gtin, h.next.lot, h.next.siteId])))));
    const serials = new Set(plans.flatMap((p) => p.serials.map((x) => `${x.next.gtin}|${x.next.serial}`)));
    return plans.reduce((n, p) => n + 1 + p.pending.length, 0) + creates.size + heads.size + serials.size;
  }

  private headVersion(k: LotKey, siteId: string) {
    return this.heads.get(lotId(k))?.get(siteId)?.version ?? 0;
  }

  /** Whether the plans' conditions hold, each item checked against the first state any plan expected. */
  private conditionsHold(plans: Plan[]): boolean {
    const seenHeads = new Set<string>();
    const seenSerials = new Set<string>();
    const created = new Set<string>();
    for (const p of plans) {
      for (const l of p.lots) {
        if (l.create && !created.has(lotId(l.key))) {
          if (this.lots.has(lotId(l.key))) return false;
          created.add(lotId(l.key));
        }
        for (const h of l.heads) {
          const id = JSON.stringify([h.next.gtin, h.next.lot, h.next.siteId]);
          if (seenHeads.has(id)) continue;
          seenHeads.add(id);
          if (this.headVersion(h.next, h.next.siteId) !== h.expectedVersion) return false;
        }
      }
      for (const x of p.serials) {
        const id = `${x.next.gtin}|${x.next.serial}`;
        if (seenSerials.has(id)) continue;
        seenSerials.add(id);
        if ((this.serials.get(id)?.version ?? 0) !== x.expectedVersion) return false;
      }
    }
    return true;
  }

  /** All or nothing, each stock head and serial checked against the first version any plan expected. */
  async commitMany(plans: Plan[]): Promise<boolean> {
    for (const p of plans) if (this.events.has(p.event.eventId)) return false;
    if (!this.conditionsHold(plans)) return false;
    for (const p of plans) this.apply(p);
    this.groupCommits++;
    await this.chainAfter(plans.flatMap((p) => p.pending));
    return true;
  }

  private apply(plan: Plan) {
    this.events.set(plan.event.eventId, structuredClone(plan.event));
    for (const l of plan.lots) {
      if (l.create && !this.lots.has(lotId(l.key))) this.lots.set(lotId(l.key), structuredClone(l.create));
      const heads = this.heads.get(lotId(l.key)) ?? new Map<string, StockHead>();
      for (const h of l.heads) heads.set(h.next.siteId, structuredClone(h.next));
      this.heads.set(lotId(l.key), heads);
    }
    for (const p of plan.pending) this.addPending(p);
    for (const s of plan.serials) this.serials.set(`${s.next.gtin}|${s.next.serial}`, structuredClone(s.next));
    this.commits++;
  }

  private addPending(p: PendingEntry) {
    const list = this.pendingLog.get(lotId(p)) ?? new Map<string, PendingEntry>();
    list.set(pendingKey(p), structuredClone(p));
    this.pendingLog.set(lotId(p), list);
  }

  async commit(plan: Plan): Promise<CommitOutcome> {
    if (this.events.has(plan.event.eventId)) return 'event-exists';
    if (!this.conditionsHold([plan])) return 'conflict';
    this.apply(plan);
    await this.chainAfter(plan.pending);
    return 'committed';
  }

  private async chainAfter(pending: PendingEntry[]) {
    if (!this.deferred) await chainLots({ ledger: this }, pending);
  }

  /** Chain every pending entry (for `{ chain: 'deferred' }`). */
  chainAll(): Promise<number> {
    return sweepUnchained({ ledger: this });
  }

  async unchainedOf(k: LotKey, limit: number) {
    const meta = this.lots.get(lotId(k));
    const pending = [...(this.pendingLog.get(lotId(k)) ?? new Map<string, PendingEntry>())]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([, p]) => structuredClone(p));
    return {
      ...(meta ? { head: { seq: meta.seq, headHash: meta.headHash, ...(meta.headAt !== undefined ? { headAt: meta.headAt } : {}) } } : {}),
      pending,
    };
  }

  async seal(k: LotKey, expectedSeq: number, head: { seq: number; headHash: string; headAt?: string }, sealed: Sealed[]) {
    const meta = this.lots.get(lotId(k));
    const pending = this.pendingLog.get(lotId(k));
    if (!meta || meta.seq !== expectedSeq) return false;
    if (!sealed.every((s) => pending?.has(pendingKey(s.pending)))) return false;
    const log = this.entryLog.get(lotId(k)) ?? [];
    for (const s of sealed) {
      log.push(structuredClone(s.entry));
      pending?.delete(pendingKey(s.pending));
      const ev = this.events.get(s.entry.eventId);
      const ref = ev?.entries[s.pending.n];
      if (ref && s.entry.serials?.length) ref.seq = s.entry.seq;
    }
    this.entryLog.set(lotId(k), log);
    meta.seq = head.seq;
    if (head.headAt !== undefined) meta.headAt = head.headAt;
    meta.headHash = head.headHash;
    return true;
  }

  async unchainedLots() {
    return [...this.pendingLog].filter(([, m]) => m.size > 0).flatMap(([id]) => (this.lots.has(id) ? [this.lots.get(id) as LotMeta] : []));
  }

  async getEvent(eventId: string) {
    return structuredClone(this.events.get(eventId));
  }
  async getLot(k: LotKey) {
    const l = this.lotState(lotId(k));
    if (l) delete l.unchained;
    return l;
  }
  async chainHead(k: LotKey) {
    const m = this.lots.get(lotId(k));
    return m ? { seq: m.seq, headHash: m.headHash } : undefined;
  }
  async unchainedCount(k: LotKey) {
    return this.pendingLog.get(lotId(k))?.size ?? 0;
  }
  async claimsOf(k: LotKey, serial: string) {
    const id = lotId(k);
    return structuredClone({
      claims: [...(this.claims.get(id)?.values() ?? [])].filter((c) => c.serial === serial),
      links: [...(this.links.get(id)?.values() ?? [])].filter((l) => l.serial === serial),
    });
  }
  async putClaim(claim: ClaimRecord, link?: ReplacementLink) {
    const claimKey = `${claim.serial}|${claim.claimId}`;
    const linkKey = link && `${link.serial}|${link.replaces}|${link.claimId}`;
    if (this.claims.get(lotId(claim))?.has(claimKey)) return false;
    if (link && linkKey && this.links.get(lotId(link))?.has(linkKey)) return false;
    const at = <V>(m: Map<string, Map<string, V>>, id: string) => m.get(id) ?? m.set(id, new Map()).get(id) ?? new Map<string, V>();
    at(this.claims, lotId(claim)).set(claimKey, structuredClone(claim));
    if (link && linkKey) at(this.links, lotId(link)).set(linkKey, structuredClone(link));
    return true;
  }
  async getSerial(gtin: string, serial: string) {
    return structuredClone(this.serials.get(`${gtin}|${serial}`));
  }
  async entries(k: LotKey, opts: { afterSeq?: number; limit?: number }) {
    const all = (this.entryLog.get(lotId(k)) ?? []).filter((e) => e.seq > (opts.afterSeq ?? 0));
    const items = opts.limit ? all.slice(0, opts.limit) : all;
    return { items: structuredClone(items), ...(items.length < all.length ? { lastSeq: items.at(-1)?.seq } : {}) };
  }
  /** Pages of `partitionPage` items (the head counts as one), so that tests cross page boundaries. */
  partitionPage = 7;
  async lotPartition(k: LotKey, opts: { cursor?: string } = {}) {
    const head = this.lotState(lotId(k));
    const items: (LotState | LedgerEntry)[] = [...(head ? [head] : []), ...(this.entryLog.get(lotId(k)) ?? [])];
    const start = opts.cursor === undefined ? 0 : Number(opts.cursor);
    const page = structuredClone(items.slice(start, start + this.partitionPage));
    const end = start + page.length;
    const pageHead = start === 0 && head ? (page[0] as LotState) : undefined;
    const entries = (pageHead ? page.slice(1) : page) as LedgerEntry[];
    const pending = pageHead ? [...(this.pendingLog.get(lotId(k))?.values() ?? [])].map((p) => structuredClone(p.entry)) : [];
    const claims = pageHead ? [...(this.claims.get(lotId(k))?.values() ?? [])].map((c) => c.reportedAt) : [];
    return {
      ...(pageHead ? { head: pageHead } : {}),
      entries,
      ...(pending.length ? { pending } : {}),
      ...(claims.length ? { claims } : {}),
      ...(end < items.length ? { cursor: String(end) } : {}),
    };
  }
  async allEntries(k: LotKey) {
    return structuredClone(this.entryLog.get(lotId(k)) ?? []);
  }
  async entriesByRef(gtin: string, refs: SerialRef[]) {
    return refs
      .map((r) => {
        const seq = r.seq ?? this.events.get(r.eventId ?? '')?.entries.find((e) => e.gtin === gtin && e.lot === r.lot)?.seq;
        return seq === undefined ? undefined : this.entryLog.get(lotId({ gtin, lot: r.lot }))?.[seq - 1];
      })
      .filter((e): e is LedgerEntry => e !== undefined);
  }
  async lotsOfGtin(gtin: string) {
    return [...this.lots.values()].filter((l) => l.gtin === gtin).map((l) => structuredClone(l));
  }
  async allGtins() {
    return [...this.master.products.keys()];
  }
  async commitLotChange(expectedStatusVersion: number, next: LotMeta, pending: PendingEntry) {
    const cur = this.lots.get(lotId(next));
    if (!cur || (cur.statusVersion ?? 0) !== expectedStatusVersion) return false;
    // the status fields only: the chain head is the sequencer's
    const { seq, headHash, headAt } = cur;
    this.lots.set(lotId(next), { ...structuredClone(next), seq, headHash, ...(headAt !== undefined ? { headAt } : {}) });
    this.addPending(pending);
    await this.chainAfter([pending]);
    return true;
  }
  async stockHeads(k: LotKey) {
    return [...(this.heads.get(lotId(k)) ?? new Map<string, StockHead>()).values()].map((h) => structuredClone(h));
  }
  async getStockHead(k: LotKey, siteId: string) {
    return structuredClone(this.heads.get(lotId(k))?.get(siteId));
  }
  async putStockHead(expectedVersion: number, next: StockHead) {
    if (this.headVersion(next, next.siteId) !== expectedVersion) return false;
    const heads = this.heads.get(lotId(next)) ?? new Map<string, StockHead>();
    heads.set(next.siteId, structuredClone(next));
    this.heads.set(lotId(next), heads);
    return true;
  }
}

/** The order the sequencer chains a lot's pending entries in (as the DynamoDB store's sort key). */
const pendingKey = (p: PendingEntry) => `${p.acceptedAt}#${p.entry.eventId}#${String(p.n).padStart(3, '0')}`;
