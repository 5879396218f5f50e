import { type AlertDeps, type AlertPrepare, alertAttributes, alertIdOf, raiseAlerts } from './alerts.js';
import { AppError } from './errors.js';
import type { AlertRecord } from './expiry-ports.js';
import { isDefectReturn, type LotState, lotId, type Plan } from './ledger.js';
import { changeLotStatus, type LotDeps } from './lots.js';
import type { Movement } from './movement.js';

/** When a lot's defect returns trigger an automatic QA hold: above `defectRate` of units sold, and at least `minDefectReturns`. */
export type QaConfig = { defectRate: number; minDefectReturns: number };

/** The contract's defaults: 2% of units sold, and at least 3 defect returns (lib/config.ts applies them). */
export const QA_DEFAULTS: QaConfig = { defectRate: 0.02, minDefectReturns: 3 };

/**
 * True when the lot's defect returns pass the threshold: at least `minDefectReturns` of them, and more than
 * `defectRate` of the units sold (a lot with defect returns and no recorded sale passes once the minimum is reached).
 * @example defectRateExceeded({ sold: 100, defectReturns: 3 }, QA_DEFAULTS) // true (3% > 2%)
 */
export function defectRateExceeded(lot: Pick<LotState, 'sold' | 'defectReturns'>, cfg: QaConfig): boolean {
  const defects = lot.defectReturns ?? 0;
  const sold = lot.sold ?? 0;
  if (defects < cfg.minDefectReturns) return false;
  return sold === 0 || defects / sold > cfg.defectRate;
}

const pct = (n: number) => `${Math.round(n * 1000) / 10}%`;

/** Why the lot is held, naming the rate and the threshold. */
export function qaHoldReason(lot: Pick<LotState, 'sold' | 'defectReturns'>, cfg: QaConfig): string {
  const defects = lot.defectReturns ?? 0;
  const sold = lot.sold ?? 0;
  const rate =
    sold > 0
      ? `defect-return rate ${pct(defects / sold)} (${defects} defect returns of ${sold} sold)`
      : `${defects} defect returns with no recorded sale`;
  return `Automatic QA hold: ${rate} passes the limit of ${pct(cfg.defectRate)} (at least ${cfg.minDefectReturns} defect returns)`;
}

export type QaDeps = LotDeps & AlertDeps & { qa: QaConfig };

/** The QA alert of a lot (once per lot), sent to the quality audience with the returning site. */
export function qaAlert(lot: LotState, siteId: string, description: string | null, cfg: QaConfig, now: string): AlertRecord {
  const alertId = alertIdOf('qa.defect-rate', lot.gtin, lot.lot);
  const sold = lot.sold ?? 0;
  const defectReturns = lot.defectReturns ?? 0;
  const reason = qaHoldReason(lot, cfg);
  return {
    alertId,
    kind: 'qa.defect-rate',
    gtin: lot.gtin,
    lot: lot.lot,
    siteId,
    status: 'pending',
    message: JSON.stringify({
      type: 'qa.defect-rate',
      alertId,
      gtin: lot.gtin,
      lot: lot.lot,
      description,
      expiry: lot.expiry ?? null,
      siteId,
      sold,
      defectReturns,
      defectRate: sold > 0 ? Math.round((defectReturns / sold) * 10_000) / 10_000 : null,
      threshold: { defectRate: cfg.defectRate, minDefectReturns: cfg.minDefectReturns },
      action: 'hold',
      reason,
      raisedAt: now,
    }),
    attributes: alertAttributes('qa.defect-rate', 'quality', siteId),
    createdAt: now,
    attempts: 0,
  };
}

/** Before a QA alert goes out its lot is on hold (a chained `hold` entry). A recalled lot stays recalled; the alert still goes. */
export const qaPrepare = (d: LotDeps): AlertPrepare => ({
  'qa.defect-rate': async (a) => {
    const reason = (JSON.parse(a.message) as { reason?: string }).reason ?? 'Automatic QA hold: defect-return rate';
    try {
      await changeLotStatus(d, { gtin: a.gtin, lot: a.lot }, 'hold', reason, a.alertId);
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'invalid_state')) throw e;
    }
  },
});

/**
 * The defect-rate check, run after a defect return is accepted with the lot as it is now (its counters summed over its
 * stock heads). It reads nothing more unless they pass the threshold; then the alert record is created once per lot, the lot is put
 * on hold and the alert published, exactly once (see raiseAlerts). Returns whether the lot passed the threshold.
 */
export async function checkDefectRate(d: QaDeps, lot: LotState, siteId: string): Promise<boolean> {
  if (!defectRateExceeded(lot, d.qa)) return false;
  const description = (await d.master.getProduct(lot.gtin))?.description ?? null;
  const r = await raiseAlerts(d, [qaAlert(lot, siteId, description, d.qa, d.clock.now().toISOString())], qaPrepare(d));
  if (r.failed > 0) d.log?.('QA alert left pending; the next defect return or the expiry check retries it', { gtin: lot.gtin, lot: lot.lot });
  return true;
}

/**
 * The `afterAccepted` hook of the ledger: after a `return` with reason `defect`, check the lot's defect rate. It never
 * throws, so the movement stays accepted whatever happens here; errors are logged and retried later.
 */
export const qaAfterAccepted =
  (d: QaDeps) =>
  async (m: Movement, plan: Plan): Promise<void> => {
    if (!isDefectReturn(m) || !plan.lots.some((l) => lotId(l.key) === lotId(m))) return;
    try {
      // The lot's counters are summed over its stock heads: read them now (defect returns are rare).
      const lot = await d.ledger.getLot(m);
      if (lot) await checkDefectRate(d, lot, m.site);
    } catch (e) {
      d.log?.('QA defect-rate check failed; the next defect return or the expiry check retries it', {
        gtin: m.gtin,
        lot: m.lot,
        error: (e as Error).message ?? String(e),
      });
    }
  };
