import { type AlertDeps, alertAttributes, alertIdOf, raiseAlerts, retryPendingAlerts } from './alerts.js';
import { DAY_MS, daysBetween, todayOf } from './dates.js';
import type { AlertKind, AlertRecord, LotIndex } from './expiry-ports.js';
import type { LedgerEntry, LotState } from './ledger.js';
import type { LotStore } from './lots.js';
import type { MasterDataStore, Product, Site } from './master-data.js';
import { qaPrepare } from './quality.js';

export type ExpiryDeps = AlertDeps & { lotIndex: LotIndex; master: MasterDataStore; ledger: LotStore };

export type ExpiryLine = {
  gtin: string;
  lot: string;
  description: string | null;
  expiry: string;
  daysLeft: number;
  balances: { siteId: string; quantity: number }[];
};

/** A (lot, site) that will not sell out before it expires at its recent pace: marketing can still mark it down. */
export type AtRiskLine = {
  gtin: string;
  lot: string;
  description: string | null;
  siteId: string;
  expiry: string;
  daysLeft: number;
  onHand: number;
  /** units sold at the site in the 14 days before asOf, / 14 */
  dailySales: number;
  /** onHand - dailySales * max(daysLeft, 0) */
  projectedUnsold: number;
};

export type ExpiryReport = {
  asOf: string;
  expiringSoon: ExpiryLine[];
  expired: ExpiryLine[];
  atRisk: AtRiskLine[];
  /** alerts SNS accepted during this run (new ones and retries of pending ones) */
  alertsPublished: number;
  /** alerts that could not be sent and stay pending for the next run */
  alertsPending: number;
};

/**
 * Classify a lot with stock as of a date: expired when its expiry is before `asOf`, expiring soon when
 * `0 <= expiry - asOf <= alertDays` (days), otherwise nothing.
 * @example classifyExpiry('2026-03-04', '2026-03-01', 3) // { kind: 'expiry.expiring', daysLeft: 3 }
 */
export function classifyExpiry(expiry: string, asOf: string, alertDays: number): { kind: AlertKind; daysLeft: number } | undefined {
  const daysLeft = daysBetween(asOf, expiry);
  if (daysLeft < 0) return { kind: 'expiry.expired', daysLeft };
  if (daysLeft <= alertDays) return { kind: 'expiry.expiring', daysLeft };
  return undefined;
}

/** How many days of sales set a (lot, site)'s pace. */
export const SALES_WINDOW_DAYS = 14;
/** Lots are looked at for at-risk stock this many times their product's expiryAlertDays ahead. */
export const AT_RISK_HORIZON = 3;

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Units sold at each internal site in the `SALES_WINDOW_DAYS` days before `asOf` (the movement's own calendar date,
 * asOf itself excluded), from a lot's ledger entries.
 * @example salesBySite([{ type: 'sell', site: 's1', quantity: 7, occurredAt: '2026-02-28T10:00:00Z' }], '2026-03-01') // Map { 's1' => 7 }
 */
export function salesBySite(entries: readonly Pick<LedgerEntry, 'type' | 'site' | 'quantity' | 'occurredAt'>[], asOf: string): Map<string, number> {
  const from = addDays(asOf, -SALES_WINDOW_DAYS);
  const out = new Map<string, number>();
  for (const e of entries) {
    const day = e.occurredAt.slice(0, 10);
    if (e.type !== 'sell' || !e.site || day < from || day >= asOf) continue;
    out.set(e.site, (out.get(e.site) ?? 0) + e.quantity);
  }
  return out;
}

/**
 * The at-risk arithmetic of the contract for one (lot, site): `dailySales = sold14 / 14`, `projectedUnsold = onHand -
 * dailySales * max(daysLeft, 0)`; at risk when that is above 0 and the lot expires within `3 * expiryAlertDays` days
 * (and has not expired: expired stock is reported as expired).
 * @example atRisk({ onHand: 100, sold14: 28, daysLeft: 10, alertDays: 7 }) // { dailySales: 2, projectedUnsold: 80 }
 */
export function atRisk(i: {
  onHand: number;
  sold14: number;
  daysLeft: number;
  alertDays: number;
}): { dailySales: number; projectedUnsold: number } | undefined {
  if (i.onHand <= 0 || i.daysLeft < 0 || i.daysLeft > AT_RISK_HORIZON * i.alertDays) return undefined;
  const dailySales = i.sold14 / SALES_WINDOW_DAYS;
  const projectedUnsold = i.onHand - dailySales * Math.max(i.daysLeft, 0);
  // a sub-thousandth of a unit left over is rounding, not stock
  if (round3(projectedUnsold) <= 0) return undefined;
  return { dailySales: round3(dailySales), projectedUnsold: round3(projectedUnsold) };
}

/** `date` plus `days` days, as YYYY-MM-DD. */
export const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The daily expiry check. Reads the sparse expiry index (only lots with stock and an expiry are in it, sorted by
 * expiry), lists lots expiring soon and expired ones with their stock per site, and raises one alert per
 * (lot, site, kind) exactly once. Then it sends again what earlier runs left pending (a crash, an SNS outage, a QA
 * alert whose hold failed), so a re-run after a crash halfway neither duplicates nor misses an alert.
 *
 * How far to read: products differ in `expiryAlertDays`, so the index is read up to `asOf + max(expiryAlertDays)` and
 * each lot is then judged by its own product's days. The maximum is kept on one item that every product write raises
 * (never lowers), so it costs one read and is never too small; lots between a product's own window and that bound are
 * read and dropped, which keeps the cost proportional to the lots near expiry, not to all lots.
 */
export async function runExpiryCheck(d: ExpiryDeps, asOfInput?: string): Promise<ExpiryReport> {
  const asOf = asOfInput ?? todayOf(d.clock);
  const maxDays = await d.lotIndex.maxExpiryAlertDays();
  // at-risk stock looks further ahead than the expiry alerts: 3 x expiryAlertDays
  const through = addDays(asOf, AT_RISK_HORIZON * maxDays);
  const products = new Map<string, Product | undefined>();
  const sites = new Map<string, Site | undefined>();
  const productOf = async (gtin: string) => {
    if (!products.has(gtin)) products.set(gtin, await d.master.getProduct(gtin));
    return products.get(gtin);
  };
  const siteOf = async (siteId: string) => {
    if (!sites.has(siteId)) sites.set(siteId, await d.master.getSite(siteId));
    return sites.get(siteId);
  };

  const expiringSoon: ExpiryLine[] = [];
  const expired: ExpiryLine[] = [];
  const atRiskLines: AtRiskLine[] = [];
  const candidates: AlertRecord[] = [];
  const createdAt = d.clock.now().toISOString();
  for await (const page of d.lotIndex.expiringThrough(through)) {
    for (const lot of page) {
      if (!lot.expiry) continue;
      const product = await productOf(lot.gtin);
      const alertDays = product?.expiryAlertDays ?? 7;
      const balances = stockBalances(lot);
      if (balances.length === 0) continue;
      const c = classifyExpiry(lot.expiry, asOf, alertDays);
      if (c) {
        const line: ExpiryLine = {
          gtin: lot.gtin,
          lot: lot.lot,
          description: product?.description ?? null,
          expiry: lot.expiry,
          daysLeft: c.daysLeft,
          balances,
        };
        (c.kind === 'expiry.expired' ? expired : expiringSoon).push(line);
        for (const b of balances) {
          const site = await siteOf(b.siteId);
          candidates.push(expiryAlert(c.kind, line, b, site?.kind ?? 'unknown', asOf, createdAt));
        }
      }
      // At risk: stock that will not sell out before it expires at its pace of the last 14 days (one ledger read per lot).
      const daysLeft = daysBetween(asOf, lot.expiry);
      if (daysLeft >= 0 && daysLeft <= AT_RISK_HORIZON * alertDays) {
        const sold = salesBySite(await d.ledger.allEntries(lot), asOf);
        for (const b of balances) {
          const r = atRisk({ onHand: b.quantity, sold14: sold.get(b.siteId) ?? 0, daysLeft, alertDays });
          if (!r) continue;
          const line: AtRiskLine = {
            gtin: lot.gtin,
            lot: lot.lot,
            description: product?.description ?? null,
            siteId: b.siteId,
            expiry: lot.expiry,
            daysLeft,
            onHand: b.quantity,
            ...r,
          };
          atRiskLines.push(line);
          candidates.push(atRiskAlert(line, asOf, createdAt));
        }
      }
    }
  }
  const fresh = await raiseAlerts(d, candidates);
  const retried = await retryPendingAlerts(d, qaPrepare(d), fresh.handled);
  return {
    asOf,
    expiringSoon,
    expired,
    atRisk: atRiskLines,
    alertsPublished: fresh.published + retried.published,
    alertsPending: fresh.failed + retried.failed,
  };
}

/** Internal sites holding stock of the lot, by siteId. */
export const stockBalances = (lot: Pick<LotState, 'balances'>) =>
  Object.entries(lot.balances)
    .filter(([, b]) => b.q > 0)
    .map(([siteId, b]) => ({ siteId, quantity: b.q }))
    .sort((a, b) => a.siteId.localeCompare(b.siteId));

/** The alert record (and SNS message) for one (lot, site, kind). */
export function expiryAlert(
  kind: AlertKind,
  line: ExpiryLine,
  balance: { siteId: string; quantity: number },
  audience: string,
  asOf: string,
  createdAt: string,
): AlertRecord {
  const alertId = alertIdOf(kind, line.gtin, line.lot, balance.siteId);
  return {
    alertId,
    kind,
    gtin: line.gtin,
    lot: line.lot,
    siteId: balance.siteId,
    status: 'pending',
    message: JSON.stringify({
      type: kind,
      alertId,
      gtin: line.gtin,
      lot: line.lot,
      description: line.description,
      expiry: line.expiry,
      daysLeft: line.daysLeft,
      siteId: balance.siteId,
      quantity: balance.quantity,
      asOf,
    }),
    attributes: alertAttributes(kind, audience, balance.siteId),
    createdAt,
    attempts: 0,
  };
}

/** The `expiry.at-risk` alert of one (lot, site), for marketing: raised once per (lot, site) however often the check runs. */
export function atRiskAlert(line: AtRiskLine, asOf: string, createdAt: string): AlertRecord {
  const kind = 'expiry.at-risk' as const;
  const alertId = alertIdOf(kind, line.gtin, line.lot, line.siteId);
  return {
    alertId,
    kind,
    gtin: line.gtin,
    lot: line.lot,
    siteId: line.siteId,
    status: 'pending',
    message: JSON.stringify({ type: kind, alertId, ...line, asOf }),
    attributes: alertAttributes(kind, 'marketing', line.siteId),
    createdAt,
    attempts: 0,
  };
}
