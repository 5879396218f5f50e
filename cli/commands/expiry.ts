import type { ExpiryLine, ExpiryReport } from '../../lib/domain/expiry.js';
import type { ApiClient } from '../api-client.js';
import { bad, bold, dim, ok, printJson, table } from '../output.js';

const rows = (lines: ExpiryLine[]) =>
  table([
    ['gtin', 'lot', 'expiry', 'days left', 'on hand by site', 'description'],
    ...lines.map((l) => [l.gtin, l.lot, l.expiry, l.daysLeft, l.balances.map((b) => `${b.siteId} ${b.quantity}`).join(', '), l.description ?? '']),
  ]);

/** `lotledger expiry check [--as-of DATE]`: exit 1 when expired stock is on hand or an alert could not be sent. */
export async function expiryCheck(api: ApiClient, opts: { asOf?: string; json?: boolean }): Promise<number> {
  const r = await api.post<ExpiryReport>('/expiry-checks', opts.asOf ? { asOf: opts.asOf } : {});
  const failed = r.expired.length > 0 || (r.alertsPending ?? 0) > 0;
  if (opts.json) {
    printJson(r);
    return failed ? 1 : 0;
  }
  console.log(`${bold(`Expiry check as of ${r.asOf}`)}: ${r.expiringSoon.length} lots expiring soon, ${r.expired.length} expired with stock on hand`);
  if (r.expiringSoon.length) console.log(`\nExpiring soon\n${rows(r.expiringSoon)}`);
  if (r.expired.length) console.log(`\n${bad('Expired')}\n${rows(r.expired)}`);
  const atRisk = r.atRisk ?? [];
  if (atRisk.length)
    console.log(
      `\nAt risk (will not sell out in time at the last 14 days' pace)\n${table([
        ['gtin', 'lot', 'site', 'expiry', 'days left', 'on hand', 'sold/day', 'unsold'],
        ...atRisk.map((l) => [l.gtin, l.lot, l.siteId, l.expiry, l.daysLeft, l.onHand, l.dailySales, l.projectedUnsold]),
      ])}`,
    );
  if (!r.expiringSoon.length && !r.expired.length && !atRisk.length) console.log(ok('nothing near expiry'));
  console.log(
    dim(`\nalerts published by this run: ${r.alertsPublished}${r.alertsPending ? `, ${r.alertsPending} still pending (retried next run)` : ''}`),
  );
  return failed ? 1 : 0;
}
