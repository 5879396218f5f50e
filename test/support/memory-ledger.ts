import { randomUUID } from 'node:crypto';
import { fixedClock } from '../../lib/domain/clock.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { PRODUCTS, SITES } from './fixtures.js';
import { InMemoryLedger, InMemoryMasterData } from './memory-stores.js';

/** A ledger over in-memory stores with the standard fixture products and sites. */
export async function memoryLedger() {
  const master = new InMemoryMasterData();
  const clock = fixedClock('2026-03-01T12:00:00Z');
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct({ master, clock }, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite({ master, clock }, siteId, SiteInput.parse(s));
  const ledger = new InMemoryLedger(master);
  return { master, ledger, clock, newToken: randomUUID };
}
