import type { Issue } from './errors.js';
import { kdeGaps } from './fsma-kdes.js';
import { coolingIsCte, type FsmaLookup, fsmaRows } from './fsma204.js';
import { type LedgerEntry, type LotMeta, lotId, type Snapshot, type UnchainedEntry } from './ledger.js';
import { localDate } from './movement.js';

/** The columns an initial pack takes from the harvest and cool records of the RAC lots it names in `inputs`. */
const FROM_RAC_LOTS =
  /^(Commodity Received|Variety Received|Quantity Received|Unit of Measure Received|Date Received|Harvest Farm|Field or Growing Area Name|Container Name|Harvester |Harvest Date|Cooling )/;

/** The record field a missing KDE is filled from, so a warning points at what to send (or which master data to fix). */
function pathOf(missing: string, e: LedgerEntry): string {
  if (missing.startsWith('Reference Document')) return 'references';
  if (missing.startsWith('Harvest Date Begin') || missing.startsWith('Harvest Date End')) return 'landing';
  if (missing === 'Harvest Area') return 'landing.area';
  if (missing === 'Harvest Date') return 'harvest.date';
  if (missing === 'Field or Growing Area Name') return 'harvest.field';
  if (missing.startsWith('Harvester')) return 'harvest.harvester';
  if (missing.endsWith('Received') || missing === 'Date Received') return 'received';
  if (missing === 'Commodity' || missing === 'Product Description') return 'gtin';
  if (missing.startsWith('TLC Source')) return 'tlcSource';
  if (missing.startsWith('Harvest Farm')) return e.type === 'harvest' ? 'site' : 'harvest.farm';
  if (missing.startsWith('Cooling Location')) return e.type === 'cool' ? 'site' : 'cooling.site';
  if (missing.startsWith('Immediate Subsequent Recipient') || missing.startsWith('Immediate Previous Source')) return 'counterparty';
  if (missing.startsWith('Receiving Location')) return e.type === 'transfer' ? 'counterparty' : 'site';
  return 'site';
}

/**
 * The FSMA 204 warnings of an accepted movement (CONTRACT.md, Movements: `warnings`): each required KDE its CTE rows
 * lack, for an FTL product, and a cooling that is no Cooling CTE because it comes after initial packing. The record
 * is accepted either way: the goods did move. `entry` is the movement's first ledger entry, `lot` its lot after it.
 * @example movementWarnings(plan.entries[0], plan.lots[0].next, snap) // [{ path: 'references', message: 'Reference Document Type is missing (...)' }]
 */
export function movementWarnings(
  accepted: UnchainedEntry,
  lot: Pick<LotMeta, 'tlcSource' | 'tlcSourceReference' | 'createdBy'> | undefined,
  snap: Pick<Snapshot, 'products' | 'sites' | 'lots'>,
): Issue[] {
  // Warnings are decided at acceptance, before the sequencer gives the entry its seq and hash; the rows read neither.
  const e: LedgerEntry = { ...accepted, seq: 0, prevHash: '', hash: '' };
  if (snap.products.get(e.gtin)?.ftl !== true && !(e.inputs ?? []).some((i) => snap.products.get(i.gtin)?.ftl === true)) return [];
  const lookup: FsmaLookup = {
    product: (g) => snap.products.get(g),
    site: (s) => snap.sites.get(s),
    lot: (g, l) => (g === e.gtin && l === e.lot ? lot : snap.lots.get(lotId({ gtin: g, lot: l }))?.meta),
  };
  const out: Issue[] = [];
  if (e.type === 'cool' && !coolingIsCte(lot?.createdBy))
    out.push({
      path: 'type',
      message: `lot ${e.lot} was already packed (${lot?.createdBy}): a cooling after initial packing is no Cooling CTE (§1.1325(b)); recorded, not exported as one`,
    });
  if (e.cooling && e.cooling.date > localDate(e.occurredAt))
    out.push({
      path: 'cooling.date',
      message: `cooling on ${e.cooling.date} is after the packing on ${localDate(e.occurredAt)}: not a cooling before initial packing (§1.1330(a)(9)); left out of the Initial Packing row`,
    });
  const seen = new Set<string>();
  for (const row of fsmaRows(e, lookup))
    for (const g of kdeGaps(row)) {
      if (e.type === 'initial-pack' && e.inputs && FROM_RAC_LOTS.test(g.missing)) continue; // the RAC lots' own records carry them
      const message = `${g.missing} is missing (${row.cte}, ${g.why})`;
      if (seen.has(message)) continue;
      seen.add(message);
      out.push({ path: pathOf(g.missing, e), message });
    }
  return out;
}
