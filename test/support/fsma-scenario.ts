import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import type { Movement } from '../../lib/domain/movement.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { memoryLedger } from './memory-ledger.js';

/** GTINs of the every-KDE scenario (check digits computed). */
export const FULL_GTIN = { rac: '00614141000050', packed: '00614141000067', tuna: '00614141000074', kit: '00614141000081' } as const;

const addr = (street: string, city: string, state: string, postalCode: string) => ({ street, city, state, postalCode, country: 'US' });

/** Sites with every location-description part (§1.1310): name, phone, street (or coordinates), city, state, ZIP, country. */
export const FULL_SITES: Record<string, unknown> = {
  'farm-a': {
    kind: 'warehouse',
    name: 'Green Acres Farm',
    phone: '+1 831 555 0110',
    address: addr('100 Farm Rd', 'Salinas', 'CA', '93901'),
    coordinates: { lat: 36.6777, lon: -121.6555 },
  },
  'cooler-a': { kind: 'warehouse', name: 'Cold Hub', phone: '+1 831 555 0120', address: addr('2 Ice St', 'Salinas', 'CA', '93901') },
  'packer-a': {
    kind: 'warehouse',
    name: 'Valley Packers',
    phone: '+1 831 555 0130',
    address: addr('3 Pack Ave', 'Salinas', 'CA', '93905'),
    gln: '0614141000005',
  },
  'dock-a': {
    kind: 'warehouse',
    name: 'Harbor Dock',
    phone: '+1 808 555 0140',
    address: addr('4 Pier Way', 'Honolulu', 'HI', '96813'),
    ffrn: '12345678901',
  },
  'dc-a': { kind: 'warehouse', name: 'DC Alpha', phone: '+1 973 555 0150', address: addr('5 Dock Blvd', 'Newark', 'NJ', '07101') },
  'store-a': { kind: 'store', name: 'Store Alpha', phone: '+1 973 555 0160', address: addr('6 Main St', 'Newark', 'NJ', '07102') },
  'dist-a': { kind: 'distributor', name: 'Dist Co', phone: '+1 215 555 0170', address: addr('7 Freight Ln', 'Philadelphia', 'PA', '19103') },
  'grower-b': { kind: 'supplier', name: 'Grower B', phone: '+1 559 555 0180', address: addr('8 Orchard Rd', 'Fresno', 'CA', '93650') },
};

export const FULL_PRODUCTS: Record<string, unknown> = {
  [FULL_GTIN.rac]: { description: 'Romaine, field run', unit: 'bin', ftl: true, commodity: 'Romaine lettuce', variety: 'Green Forest' },
  [FULL_GTIN.packed]: {
    description: 'Romaine hearts',
    unit: 'case',
    ftl: true,
    brand: 'Sunny',
    commodity: 'Romaine lettuce',
    variety: 'Green Forest',
    packSize: '24 ct',
    packStyle: 'carton',
  },
  [FULL_GTIN.tuna]: { description: 'Yellowfin tuna loins', unit: 'kg', ftl: true, commodity: 'Tuna', variety: 'Thunnus albacares' },
  [FULL_GTIN.kit]: { description: 'Garden salad kit', unit: 'ea', ftl: true, brand: 'Sunny', packSize: '12 oz', packStyle: 'bag' },
};

const at = (t: string) => `2026-03-01T${t}-08:00`;

/** Every CTE once (a transfer gives Shipping and Receiving), every KDE of §1.1325-§1.1350 filled. */
export const fullKdeMovements = (): Movement[] =>
  [
    {
      eventId: 'k01-harvest',
      type: 'harvest',
      gtin: FULL_GTIN.rac,
      lot: 'H-100',
      quantity: 10,
      site: 'farm-a',
      counterparty: 'cooler-a',
      harvest: { date: '2026-03-01', field: 'Block 7' },
      references: [{ type: 'OTHER', number: 'HARV-7' }],
      occurredAt: at('06:00:00'),
    },
    {
      eventId: 'k02-cool',
      type: 'cool',
      gtin: FULL_GTIN.rac,
      lot: 'H-100',
      quantity: 10,
      site: 'cooler-a',
      counterparty: 'packer-a',
      references: [{ type: 'BOL', number: 'BOL-2' }],
      occurredAt: at('07:00:00'),
    },
    {
      eventId: 'k03-pack',
      type: 'initial-pack',
      gtin: FULL_GTIN.packed,
      lot: 'P-200',
      quantity: 40,
      site: 'packer-a',
      received: { date: '2026-03-01', quantity: 10, unit: 'bin', commodity: 'Romaine lettuce', variety: 'Green Forest', from: 'farm-a' },
      harvest: { date: '2026-03-01', farm: 'farm-a', field: 'Block 7', harvester: { name: 'Acre Crew LLC', phone: '+1 831 555 0199' } },
      cooling: { site: 'cooler-a', date: '2026-03-01' },
      references: [{ type: 'INV', number: 'PK-3' }],
      occurredAt: at('08:00:00'),
    },
    {
      eventId: 'k04-landing',
      type: 'first-land-receive',
      gtin: FULL_GTIN.tuna,
      lot: 'F-300',
      quantity: 250.5,
      site: 'dock-a',
      landing: { harvestDateBegin: '2026-02-20', harvestDateEnd: '2026-02-27', area: 'FAO 77' },
      references: [{ type: 'OTHER', number: 'LAND-4' }],
      occurredAt: at('08:30:00'),
    },
    {
      eventId: 'k05-receive',
      type: 'receive',
      gtin: FULL_GTIN.packed,
      lot: 'R-400',
      quantity: 30,
      site: 'dc-a',
      counterparty: 'grower-b',
      tlcSource: 'grower-b',
      references: [
        { type: 'BOL', number: 'BOL-5' },
        { type: 'PO', number: 'PO-5' },
      ],
      occurredAt: at('09:00:00'),
    },
    {
      eventId: 'k06-ship',
      type: 'ship',
      gtin: FULL_GTIN.packed,
      lot: 'R-400',
      quantity: 5,
      site: 'dc-a',
      counterparty: 'dist-a',
      references: [{ type: 'ASN', number: 'ASN-6' }],
      occurredAt: at('10:00:00'),
    },
    {
      eventId: 'k07-transfer',
      type: 'transfer',
      gtin: FULL_GTIN.packed,
      lot: 'R-400',
      quantity: 10,
      site: 'dc-a',
      counterparty: 'store-a',
      receivedAt: at('13:15:00'),
      references: [{ type: 'BOL', number: 'BOL-7' }],
      occurredAt: at('11:00:00'),
    },
    {
      eventId: 'k08-transform',
      type: 'transform',
      gtin: FULL_GTIN.kit,
      lot: 'K-500',
      quantity: 20,
      site: 'dc-a',
      inputs: [{ gtin: FULL_GTIN.packed, lot: 'R-400', quantity: 4 }],
      references: [{ type: 'OTHER', number: 'WO-8' }],
      occurredAt: at('12:00:00'),
    },
  ] as Movement[];

/** A memory ledger with the scenario's master data and movements (every record must be accepted without warnings). */
export async function fullKdeLedger(movements: Movement[] = fullKdeMovements()) {
  const d = await memoryLedger();
  for (const [gtin, p] of Object.entries(FULL_PRODUCTS)) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const [siteId, s] of Object.entries(FULL_SITES)) await upsertSite(d, siteId, SiteInput.parse(s));
  const report = await recordMovements(d, movements);
  const entries = [...d.ledger.entryLog.values()].flat();
  return { ...d, report, entries };
}
