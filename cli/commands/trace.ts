import type { ApiClient } from '../api-client.js';
import { bold, dim, printJson, table } from '../output.js';
import { allPages } from '../pages.js';

type Key = { gtin: string; lot: string };
type Entry = { gtin: string; lot: string; role?: string; output?: Key; inputs?: Key[] };
type Trace = {
  root: Key;
  direction: 'forward' | 'backward';
  lots: (Key & { depth: number })[];
  sites: { siteId: string; kind: string; received: number; onHand: number }[];
  movements: Entry[];
  nextCursor?: string;
};

const id = (k: Key) => `${k.gtin}|${k.lot}`;

/** The lots of a trace as a tree, root first; a lot reached twice is drawn once, under its first parent. */
export function traceTree(t: Trace): string {
  const children = new Map<string, Key[]>();
  const link = (from: Key, to: Key) => {
    const list = children.get(id(from)) ?? [];
    if (!list.some((k) => id(k) === id(to))) list.push(to);
    children.set(id(from), list);
  };
  for (const e of t.movements) {
    if (t.direction === 'forward' && e.role === 'input' && e.output) link(e, e.output);
    if (t.direction === 'backward' && e.role === 'output') for (const i of e.inputs ?? []) link(e, i);
  }
  const drawn = new Set<string>();
  const lines: string[] = [];
  const walk = (k: Key, prefix: string, last: boolean, top: boolean) => {
    const seenBefore = drawn.has(id(k));
    drawn.add(id(k));
    lines.push(`${top ? '' : `${prefix}${last ? '└─ ' : '├─ '}`}${bold(k.lot)} ${dim(k.gtin)}${seenBefore ? dim(' (see above)') : ''}`);
    if (seenBefore) return;
    const kids = children.get(id(k)) ?? [];
    for (const [i, c] of kids.entries()) walk(c, top ? '' : `${prefix}${last ? '   ' : '│  '}`, i === kids.length - 1, false);
  };
  walk(t.root, '', true, true);
  return lines.join('\n');
}

/** The whole trace: the graph of its first page with the movements of every page. */
async function wholeTrace(api: ApiClient, gtin: string, lot: string, direction: Trace['direction']): Promise<Trace> {
  const pages = await allPages<Trace>(
    api,
    `/lots/${encodeURIComponent(gtin)}/${encodeURIComponent(lot)}/trace?direction=${direction}&movements=true`,
  );
  const { nextCursor: _last, ...first } = pages[0] as Trace;
  return { ...first, movements: pages.flatMap((p) => p.movements) };
}

/** `lotledger trace GTIN LOT [--backward]` */
export async function trace(api: ApiClient, gtin: string, lot: string, opts: { backward?: boolean; json?: boolean }): Promise<number> {
  const direction = opts.backward ? 'backward' : 'forward';
  const t = await wholeTrace(api, gtin, lot, direction);
  if (opts.json) {
    printJson(t);
    return 0;
  }
  console.log(
    `${bold(direction === 'forward' ? 'Forward trace' : 'Backward trace')}: ${t.lots.length} lots, ${t.sites.length} sites, ${t.movements.length} movements\n`,
  );
  console.log(traceTree(t));
  if (t.sites.length) {
    console.log(`\n${bold('Sites')}`);
    console.log(table([['site', 'kind', 'received', 'on hand'], ...t.sites.map((s) => [s.siteId, s.kind, s.received, s.onHand])]));
  }
  return 0;
}
