import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../lib/domain/clock.js';
import { AppError } from '../../lib/domain/errors.js';
import { GtinSchema, hasValidCheckDigit, toGtin14 } from '../../lib/domain/ids.js';
import { ProductInput, requireProduct, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { InMemoryMasterData } from '../support/memory-stores.js';

const clock = fixedClock('2026-03-01T12:00:00Z');

describe('GS1 identifiers', () => {
  it('pads GTIN-8, -12 and -13 to 14 digits after checking the check digit', () => {
    expect(toGtin14('4006381333931')).toBe('04006381333931');
    expect(toGtin14('614141000013')).toBeUndefined(); // 12 digits with the wrong check digit
    expect(toGtin14('96385074')).toBe('00000096385074');
    expect(toGtin14('00614141000012')).toBe('00614141000012');
  });

  it('rejects a GTIN whose check digit is wrong, naming the check digit', () => {
    const r = GtinSchema.safeParse('00614141000013');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/check digit/);
  });

  it('accepts a GLN only with a valid check digit', () => {
    expect(hasValidCheckDigit('0614141000005')).toBe(true);
    expect(hasValidCheckDigit('0614141000006')).toBe(false);
  });
});

describe('products', () => {
  it('applies the contract defaults: unit ea, ftl false, 7 alert days', () => {
    expect(ProductInput.parse({ description: 'Kale' })).toEqual({ description: 'Kale', unit: 'ea', ftl: false, expiryAlertDays: 7 });
  });

  it('keeps createdAt when a product is replaced', async () => {
    // Prepare
    const master = new InMemoryMasterData();
    await upsertProduct({ master, clock }, '00614141000012', ProductInput.parse({ description: 'v1' }));
    // Act
    const p = await upsertProduct({ master, clock: fixedClock('2026-04-01T00:00:00Z') }, '00614141000012', ProductInput.parse({ description: 'v2' }));
    // Assess
    expect(p).toMatchObject({ description: 'v2', createdAt: '2026-03-01T12:00:00.000Z', updatedAt: '2026-04-01T00:00:00.000Z' });
  });

  it('answers product_not_found for an unknown GTIN', async () => {
    await expect(requireProduct({ master: new InMemoryMasterData() }, '00614141000012')).rejects.toMatchObject({ code: 'product_not_found' });
  });
});

describe('sites', () => {
  it('rejects an unknown kind and a GLN with a bad check digit, naming both fields', () => {
    const r = SiteInput.safeParse({ kind: 'shop', name: 'X', gln: '0614141000006' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['gln', 'kind']);
  });

  it('refuses to turn a warehouse into a customer, since its stock would be orphaned', async () => {
    // Prepare
    const master = new InMemoryMasterData();
    await upsertSite({ master, clock }, 'dc-1', SiteInput.parse({ kind: 'warehouse', name: 'DC' }));
    // Act
    const act = upsertSite({ master, clock }, 'dc-1', SiteInput.parse({ kind: 'customer', name: 'DC' }));
    // Assess
    await expect(act).rejects.toBeInstanceOf(AppError);
    await expect(act).rejects.toMatchObject({ code: 'invalid_state' });
  });
});
