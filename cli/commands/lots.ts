import type { LotView, SerialView } from '../../lib/domain/lots.js';
import type { LotVerifyReport, VerifyAllReport } from '../../lib/domain/verify-ledger.js';
import type { ApiClient } from '../api-client.js';
import { bad, bold, dim, ok, printJson, table } from '../output.js';
import { allPages } from '../pages.js';

type Entry = {
  seq: number;
  type: string;
  occurredAt: string;
  site?: string;
  counterparty?: string;
  quantity: number;
  unit?: string;
  eventId: string;
  role?: string;
};

const statusColour = (s: string) => (s === 'active' || s === 'in-stock' ? ok(s) : bad(s));
const enc = encodeURIComponent;

/** `lotledger lot GTIN LOT` */
export async function showLot(api: ApiClient, gtin: string, lot: string, opts: { json?: boolean; movements?: boolean }): Promise<number> {
  const l = await api.get<LotView>(`/lots/${enc(gtin)}/${enc(lot)}`);
  const moves = opts.movements
    ? {
        items: (await allPages<{ items: Entry[]; nextCursor?: string }>(api, `/lots/${enc(gtin)}/${enc(lot)}/movements?limit=1000`)).flatMap(
          (p) => p.items,
        ),
      }
    : undefined;
  if (opts.json) {
    printJson(moves ? { ...l, movements: moves.items } : l);
    return 0;
  }
  console.log(`${bold(`Lot ${l.lot}`)} of ${l.gtin}${l.description ? ` - ${l.description}` : ''}`);
  console.log(
    `status ${statusColour(l.status)}${l.statusReason ? ` (${l.statusReason})` : ''} · expiry ${l.expiry ?? 'none'} · on hand ${l.onHand}${l.unit ? ` ${l.unit}` : ''}`,
  );
  if (l.balances.length) console.log(table([['site', 'on hand', 'received'], ...l.balances.map((b) => [b.siteId, b.quantity, b.received ?? ''])]));
  if (l.serials) console.log(`serials: ${l.serials.inStock} in stock of ${l.serials.total}`);
  if (l.seq !== undefined) console.log(dim(`ledger: ${l.seq} entries, head ${l.head?.slice(0, 16)}…`));
  if (moves) printEntries(moves.items);
  return 0;
}

function printEntries(items: Entry[]) {
  console.log(
    table(
      items.map((e) => [
        `#${e.seq}`,
        e.occurredAt,
        e.role ? `${e.type} (${e.role})` : e.type,
        e.quantity,
        `${e.site ?? ''}${e.counterparty ? ` -> ${e.counterparty}` : ''}`,
        dim(e.eventId),
      ]),
    ),
  );
}

/** `lotledger serial GTIN SERIAL` */
export async function showSerial(api: ApiClient, gtin: string, serial: string, opts: { json?: boolean }): Promise<number> {
  const s = await api.get<SerialView>(`/serials/${enc(gtin)}/${enc(serial)}`);
  if (opts.json) {
    printJson(s);
    return 0;
  }
  console.log(`${bold(`Serial ${s.serial}`)} of ${s.gtin}, lot ${s.lot}: ${statusColour(s.status)}${s.siteId ? ` at ${s.siteId}` : ''}`);
  printEntries(s.history);
  return 0;
}

/** The pages of verify-all as one report: intact only if every page is. */
function wholeVerify(pages: (VerifyAllReport & { nextCursor?: string })[]): VerifyAllReport {
  const { nextCursor: _last, ...first } = pages[0] as VerifyAllReport & { nextCursor?: string };
  return {
    ...first,
    ok: pages.every((p) => p.ok),
    lots: pages.reduce((n, p) => n + p.lots, 0),
    entries: pages.reduce((n, p) => n + p.entries, 0),
    failures: pages.flatMap((p) => p.failures),
  };
}

/** `lotledger verify [--gtin G --lot L]`: exit 1 when a chain is broken. */
export async function verify(api: ApiClient, opts: { gtin?: string; lot?: string; json?: boolean }): Promise<number> {
  const q = new URLSearchParams();
  if (opts.gtin) q.set('gtin', opts.gtin);
  if (opts.lot) q.set('lot', opts.lot);
  const path = `/ledger/verify${q.size ? `?${q}` : ''}`;
  const r = opts.lot ? await api.get<LotVerifyReport>(path) : wholeVerify(await allPages<VerifyAllReport & { nextCursor?: string }>(api, path));
  if (opts.json) printJson(r);
  else if ('lots' in r) {
    console.log(`${r.ok ? ok('ledger intact') : bad('ledger BROKEN')}: ${r.lots} lots, ${r.entries} entries checked`);
    for (const f of r.failures) console.log(`  ${bad('x')} ${f.gtin} lot ${f.lot} at seq ${f.seq}${f.problem ? `: ${f.problem}` : ''}`);
  } else {
    console.log(
      `${r.ok ? ok('chain intact') : bad('chain BROKEN')}: ${r.entries} entries, head seq ${r.seq} ${dim(r.head.slice(0, 16))}${r.problem ? ` - ${r.problem}` : ''}`,
    );
  }
  return r.ok ? 0 : 1;
}
