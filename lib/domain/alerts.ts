import type { Clock } from './clock.js';
import { forEachLimit } from './concurrency.js';
import type { AlertKind, AlertPublisher, AlertPublishOutcome, AlertRecord, AlertStore } from './expiry-ports.js';

/** Something that must be true before an alert of a kind goes out (the QA hold before its alert); it may throw. */
export type AlertPrepare = Partial<Record<AlertKind, (a: AlertRecord) => Promise<void>>>;

export type AlertDeps = { alerts: AlertStore; alertPublisher: AlertPublisher; clock: Clock; log?: (msg: string, extra?: object) => void };

/** What one delivery pass did: alerts SNS accepted now, alerts left pending for a later run, ids it handled. */
export type DeliveryReport = { published: number; failed: number; handled: Set<string> };

const LEASE_MS = 60_000;

/** Alert ids are their storage key: `{kind}#{gtin}#{lot}#{siteId}` (lot codes and site ids never hold `#`).
 * @example alertIdOf('expiry.expiring', '00614141000012', 'L1', 'store-1') // 'expiry.expiring#00614141000012#L1#store-1'
 */
export const alertIdOf = (kind: AlertKind, gtin: string, lot: string, siteId?: string) => `${kind}#${gtin}#${lot}${siteId ? `#${siteId}` : ''}`;

/** String SNS message attributes, for subscribers' filter policies. */
export const alertAttributes = (eventType: AlertKind, audience: string, siteId: string) => ({ eventType, audience, siteId });

/**
 * Raise alerts exactly once each: 1. create the record (pending, leased) unless it exists 2. for one that exists and
 * is still pending (an earlier run crashed or SNS refused it), take its lease and send its stored message again, same
 * alertId, so consumers can drop a copy 3. publish 4. mark published. Published alerts are never sent again. Failures
 * leave the alert pending and are counted, never thrown: the next run (or sweep) retries it.
 */
export async function raiseAlerts(d: AlertDeps, candidates: AlertRecord[], prepare: AlertPrepare = {}): Promise<DeliveryReport> {
  const now = d.clock.now();
  const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
  const claimed: AlertRecord[] = [];
  const handled = new Set<string>();
  await forEachLimit(candidates, 8, async (c) => {
    handled.add(c.alertId);
    if (await d.alerts.create({ ...c, status: 'pending', attempts: 1, leaseUntil })) {
      claimed.push(c);
      return;
    }
    const existing = await d.alerts.get(c.alertId);
    if (existing?.status === 'pending' && (await d.alerts.claim(c.alertId, now.toISOString(), leaseUntil))) claimed.push(existing);
  });
  return { ...(await deliver(d, claimed, prepare)), handled };
}

/** Send pending alerts left by earlier runs (crashes, SNS outages), except those this run already handled. */
export async function retryPendingAlerts(d: AlertDeps, prepare: AlertPrepare = {}, skip: Set<string> = new Set()): Promise<DeliveryReport> {
  const now = d.clock.now();
  const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
  const claimed: AlertRecord[] = [];
  const handled = new Set<string>();
  const pending = (await d.alerts.pending(1000)).filter((a) => !skip.has(a.alertId));
  await forEachLimit(pending, 8, async (a) => {
    handled.add(a.alertId);
    if (await d.alerts.claim(a.alertId, now.toISOString(), leaseUntil)) claimed.push(a);
  });
  return { ...(await deliver(d, claimed, prepare)), handled };
}

async function deliver(d: AlertDeps, claimed: AlertRecord[], prepare: AlertPrepare): Promise<{ published: number; failed: number }> {
  let published = 0;
  let failed = 0;
  const fail = async (a: AlertRecord, error: string) => {
    failed++;
    d.log?.('alert not sent; it stays pending for the next run', { alertId: a.alertId, error });
    await d.alerts.release(a.alertId, error.slice(0, 500)).catch(() => undefined);
  };
  const ready: AlertRecord[] = [];
  for (const a of claimed) {
    const before = prepare[a.kind];
    try {
      if (before) await before(a);
      ready.push(a);
    } catch (e) {
      await fail(a, `prepare failed: ${(e as Error).message ?? String(e)}`);
    }
  }
  const batches: AlertRecord[][] = [];
  for (let i = 0; i < ready.length; i += 10) batches.push(ready.slice(i, i + 10));
  await forEachLimit(batches, 4, async (batch) => {
    let outcome: AlertPublishOutcome;
    try {
      outcome = await d.alertPublisher.publish(batch.map((a) => ({ alertId: a.alertId, body: a.message, attributes: a.attributes })));
    } catch (e) {
      outcome = { ok: [], failed: batch.map((a) => ({ alertId: a.alertId, message: (e as Error).message ?? String(e) })) };
    }
    const byId = new Map(batch.map((a) => [a.alertId, a]));
    for (const ok of outcome.ok) {
      // SNS has it: a crash before this mark re-sends it later with the same alertId, which consumers drop.
      await d.alerts
        .markPublished(ok.alertId, ok.messageId, d.clock.now().toISOString())
        .catch((e: Error) => d.log?.('alert sent but not marked published; it may be sent once more', { alertId: ok.alertId, error: e.message }));
      published++;
    }
    for (const f of outcome.failed) {
      const a = byId.get(f.alertId);
      if (a) await fail(a, f.message);
    }
  });
  return { published, failed };
}
