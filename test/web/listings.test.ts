import { describe, expect, it } from 'vitest';
import { exportScope, listPath, lotsText } from '../../web/src/lib/listings.js';

const G = '09506000134352';

describe('recall and export lists', () => {
  it('asks for a page with only the parameters set, the cursor encoded', () => {
    expect(listPath('/recalls', {})).toBe('/recalls');
    expect(listPath('/exports', { status: 'failed' })).toBe('/exports?status=failed');
    expect(listPath('/recalls', { status: 'closed', cursor: 'ab+c=' })).toBe('/recalls?status=closed&cursor=ab%2Bc%3D');
    expect(listPath('/recalls', { status: '', cursor: '' })).toBe('/recalls');
  });
  it('says the lots of a recall, the first two then how many more', () => {
    expect(lotsText([])).toBe('–');
    expect(lotsText([{ gtin: G, lot: 'A' }])).toBe(`${G} / A`);
    expect(lotsText(['A', 'B', 'C', 'D'].map((lot) => ({ gtin: G, lot })))).toBe(`${G} / A, ${G} / B and 2 more`);
  });
  it('says the scope of an export: its days, then what it names, or every food', () => {
    expect(exportScope({ format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-02' })).toBe('2026-03-01 to 2026-03-02, all foods');
    expect(exportScope({ format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01', gtin: G, lot: 'L1' })).toBe(`2026-03-01, ${G} / L1`);
    expect(exportScope({ format: 'fsma204-xlsx', from: '2026-03-01', to: '2026-03-02', gtin: G, includeNonFtl: true })).toBe(
      `2026-03-01 to 2026-03-02, ${G}, non-FTL included`,
    );
    expect(
      exportScope({
        format: 'epcis-jsonld',
        from: '2026-03-01',
        to: '2026-03-02',
        lots: [
          { gtin: G, lot: 'A' },
          { gtin: G, lot: 'B' },
        ],
      }),
    ).toBe('2026-03-01 to 2026-03-02, 2 lots');
  });
});
