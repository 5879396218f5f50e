import type { LotReport } from '../../lib/domain/lot-report.js';
import type { ApiClient } from '../api-client.js';
import { bold, printJson, table } from '../output.js';
import { allPages, withCursor } from '../pages.js';

const n = (v: number | null) => (v === null ? '-' : v);
const pct = (v: number | null) => (v === null ? '-' : `${Math.round(v * 1000) / 10}%`);

/** Every CSV page to stdout, the header row once (the next page's cursor comes in `x-next-cursor`). */
async function writeCsvPages(api: ApiClient, path: string) {
  let cursor: string | undefined;
  let first = true;
  do {
    const page = await api.getTextPage(cursor === undefined ? path : withCursor(path, cursor), 'text/csv');
    process.stdout.write(first ? page.text : page.text.slice(page.text.indexOf('\n') + 1));
    first = false;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

/** `lotledger report lots GTIN [--from --to] [--csv]` */
export async function reportLots(api: ApiClient, gtin: string, opts: { from?: string; to?: string; csv?: boolean; json?: boolean }): Promise<number> {
  const q = new URLSearchParams({ gtin });
  if (opts.from) q.set('from', opts.from);
  if (opts.to) q.set('to', opts.to);
  if (opts.csv) {
    await writeCsvPages(api, `/reports/lots?${q}`);
    return 0;
  }
  const pages = await allPages<LotReport>(api, `/reports/lots?${q}`);
  const { nextCursor: _last, ...first } = pages[0] as LotReport;
  const r: LotReport = { ...first, lots: pages.flatMap((p) => p.lots) };
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
