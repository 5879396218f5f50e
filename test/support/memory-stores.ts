import type { Gtin } from '../../lib/domain/ids.js';
import {
  type EventRecord,
  keysOf,
  type LedgerEntry,
  type LotKey,
  type LotState,
  lotId,
  type Plan,
  type SerialState,
  type Snapshot,
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
    this.sites.set(s.siteId, structuredClone(s));
    return s;
  }
  async getSite(siteId: string) {
    return structuredClone(this.sites.get(siteId));
  }
  async getSites(ids: Iterable<string>) {
    return new Map([...new Set(ids)].flatMap((id) => (this.sites.has(id) ? [[id, structuredClone(this.sites.get(id) as Site)] as const] : [])));
  }
}

/** In-memory ledger with the same conditional-commit semantics as the DynamoDB store: all or nothing, guarded by versions. */
export class InMemoryLedger implements BulkLedgerStore, LotStore {
  /** commitMany calls, to see the fast path at work */
  groupCommits = 0;
  events = new Map<string, EventRecord>();
  lots = new Map<string, LotState>();
  entryLog = new Map<string, LedgerEntry[]>();
  serials = new Map<string, SerialState>();
  commits = 0;
  constructor(private readonly master: InMemoryMasterData) {}

  async snapshot(m: Movement, _cache: MasterCache): Promise<Snapshot> {
    const k = keysOf(m);
    const snap: Snapshot = { lots: new Map(), serials: new Map(), products: new Map(), sites: new Map() };
    const ev = this.events.get(m.eventId);
    if (ev) snap.event = structuredClone(ev);
    for (const l of k.lots) {
      const s = this.lots.get(lotId(l));
      if (s) snap.lots.set(lotId(l), structuredClone(s));
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
    const lots = new Set(plans.flatMap((p) => p.lots.map((l) => lotId(l.next))));
    const serials = new Set(plans.flatMap((p) => p.serials.map((x) => `${x.next.gtin}|${x.next.serial}`)));
    return plans.reduce((n, p) => n + 1 + p.entries.length, 0) + lots.size + serials.size;
  }

  /** All or nothing, each lot and serial checked against the first version any plan expected. */
  async commitMany(plans: Plan[]): Promise<boolean> {
    const firstSeq = new Map<string, number>();
    const firstVersion = new Map<string, number>();
    for (const p of plans) {
      if (this.events.has(p.event.eventId)) return false;
      for (const l of p.lots) if (!firstSeq.has(lotId(l.next))) firstSeq.set(lotId(l.next), l.expectedSeq);
      for (const x of p.serials)
        if (!firstVersion.has(`${x.next.gtin}|${x.next.serial}`)) firstVersion.set(`${x.next.gtin}|${x.next.serial}`, x.expectedVersion);
    }
    for (const [k, seq] of firstSeq) if ((this.lots.get(k)?.seq ?? 0) !== seq) return false;
    for (const [k, v] of firstVersion) if ((this.serials.get(k)?.version ?? 0) !== v) return false;
    for (const p of plans) this.apply(p);
    this.groupCommits++;
    return true;
  }

  private apply(plan: Plan) {
    this.events.set(plan.event.eventId, structuredClone(plan.event));
    for (const l of plan.lots) this.lots.set(lotId(l.next), structuredClone(l.next));
    for (const e of plan.entries) {
      const list = this.entryLog.get(lotId(e)) ?? [];
      list.push(structuredClone(e));
      this.entryLog.set(lotId(e), list);
    }
    for (const s of plan.serials) this.serials.set(`${s.next.gtin}|${s.next.serial}`, structuredClone(s.next));
    this.commits++;
  }

  async commit(plan: Plan): Promise<CommitOutcome> {
    if (this.events.has(plan.event.eventId)) return 'event-exists';
    for (const l of plan.lots) if ((this.lots.get(lotId(l.next))?.seq ?? 0) !== l.expectedSeq) return 'conflict';
    for (const s of plan.serials) if ((this.serials.get(`${s.next.gtin}|${s.next.serial}`)?.version ?? 0) !== s.expectedVersion) return 'conflict';
    this.apply(plan);
    return 'committed';
  }

  async getEvent(eventId: string) {
    return structuredClone(this.events.get(eventId));
  }
  async getLot(k: LotKey) {
    return structuredClone(this.lots.get(lotId(k)));
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
    const head = this.lots.get(lotId(k));
    const items: (LotState | LedgerEntry)[] = [...(head ? [head] : []), ...(this.entryLog.get(lotId(k)) ?? [])];
    const start = opts.cursor === undefined ? 0 : Number(opts.cursor);
    const page = structuredClone(items.slice(start, start + this.partitionPage));
    const end = start + page.length;
    const pageHead = start === 0 && head ? (page[0] as LotState) : undefined;
    const entries = (pageHead ? page.slice(1) : page) as LedgerEntry[];
    return { ...(pageHead ? { head: pageHead } : {}), entries, ...(end < items.length ? { cursor: String(end) } : {}) };
  }
  async allEntries(k: LotKey) {
    return structuredClone(this.entryLog.get(lotId(k)) ?? []);
  }
  async entriesByRef(gtin: string, refs: { lot: string; seq: number }[]) {
    return refs.map((r) => this.entryLog.get(lotId({ gtin, lot: r.lot }))?.[r.seq - 1]).filter((e): e is LedgerEntry => e !== undefined);
  }
  async lotsOfGtin(gtin: string) {
    return [...this.lots.values()].filter((l) => l.gtin === gtin);
  }
  async allGtins() {
    return [...this.master.products.keys()];
  }
  async commitLotChange(expectedSeq: number, next: LotState, entry: LedgerEntry) {
    if ((this.lots.get(lotId(next))?.seq ?? 0) !== expectedSeq) return false;
    this.lots.set(lotId(next), structuredClone(next));
    const list = this.entryLog.get(lotId(next)) ?? [];
    list.push(structuredClone(entry));
    this.entryLog.set(lotId(next), list);
    return true;
  }
}
