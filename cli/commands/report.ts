import type { LotReport } from '../../lib/domain/lot-report.js';
import type { ApiClient } from '../api-client.js';
import { bold, printJson, table } from '../output.js';

const n = (v: number | null) => (v === null ? '-' : v);
const pct = (v: number | null) => (v === null ? '-' : `${Math.round(v * 1000) / 10}%`);

/** `lotledger report lots GTIN [--from --to] [--csv]` */
export async function reportLots(api: ApiClient, gtin: string, opts: { from?: string; to?: string; csv?: boolean; json?: boolean }): Promise<number> {
  const q = new URLSearchParams({ gtin });
  if (opts.from) q.set('from', opts.from);
  if (opts.to) q.set('to', opts.to);
  if (opts.csv) {
    process.stdout.write(await api.getText(`/reports/lots?${q}`, 'text/csv'));
    return 0;
  }
  const r = await api.get<LotReport>(`/reports/lots?${q}`);
  if (opts.json) {
    printJson(r);
    return 0;
  }
  console.log(`${bold(`Lots of ${r.gtin}`)} ${r.from ?? 'from the start'} to ${r.to ?? 'today'}: ${r.lots.length} lots with movements`);
  if (r.lots.length === 0) return 0;
  console.log(
    table([
      ['lot', 'expiry', 'received', 'sold', 'returned', 'defects', 'defect rate', 'days to sell', 'revenue', 'cost', 'margin'],
      ...r.lots.map((l) => [
        l.lot,
        l.expiry ?? 'none',
        l.received,
        l.sold,
        l.returned,
        l.defectReturns,
        pct(l.defectReturnRate),
        n(l.daysToSellThrough),
        n(l.revenue),
        n(l.cost),
        n(l.margin),
      ]),
    ]),
  );
  return 0;
}
