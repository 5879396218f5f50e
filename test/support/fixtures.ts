import type { Movement } from '../../lib/domain/movement.js';

/** Valid GTIN-14s (check digits computed). */
export const GTIN = { romaine: '00614141000012', tomato: '00614141000029', saladKit: '00614141000036', phone: '00614141000043' } as const;
export const GLN = '0614141000005';

let n = 0;
/** A movement with sensible defaults; override what the test is about. */
export function mv(over: Partial<Movement> & Pick<Movement, 'type'>): Movement {
  n++;
  return {
    eventId: `ev-${n}-${Math.random().toString(36).slice(2, 8)}`,
    occurredAt: '2026-03-01T10:00:00-05:00',
    gtin: GTIN.romaine,
    lot: 'L1',
    quantity: 10,
    site: 'dc-1',
    ...over,
  } as Movement;
}

/** Master data most ledger tests need. */
export const SITES = [
  { siteId: 'dc-1', kind: 'warehouse', name: 'DC One' },
  { siteId: 'store-1', kind: 'store', name: 'Store One' },
  { siteId: 'store-2', kind: 'store', name: 'Store Two' },
  { siteId: 'farm-1', kind: 'supplier', name: 'Green Farm' },
  { siteId: 'dist-1', kind: 'distributor', name: 'Distributor One' },
  { siteId: 'cust-1', kind: 'customer', name: 'Pat Customer', contact: { email: 'pat@example.com' } },
] as const;
export const PRODUCTS = [
  { gtin: GTIN.romaine, description: 'Romaine hearts 3ct', unit: 'case', ftl: true, expiryAlertDays: 5 },
  { gtin: GTIN.tomato, description: 'Roma tomatoes', unit: 'case', ftl: true, expiryAlertDays: 5 },
  { gtin: GTIN.saladKit, description: 'Garden salad kit', unit: 'ea', ftl: true, expiryAlertDays: 3 },
  { gtin: GTIN.phone, description: 'Handset X', unit: 'ea', ftl: false, expiryAlertDays: 7 },
] as const;
