import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardCell } from '../../lib/domain/formula-guard.js';
import { ALL_COLUMNS, CTES, FREE_TEXT_COLUMNS, type FsmaColumn, rowOf } from '../../lib/domain/fsma204.js';
import { csvField, FsmaCsvWriter } from '../../lib/exports/fsma-writers.js';

/** The export's CSV options (RFC 4180, CRLF), as csv-stringify takes them. */
const CSV_OPTIONS = { record_delimiter: 'windows' } as const;

/** Strings rich in what CSV quoting and the formula guard care about, beside arbitrary text. */
const cell = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom(',', '"', '\r', '\n', '\r\n', '=', '+', '-', '@', '\t', ' ', 'a', 'é', '\u{1F600}', "'") }),
  fc.constant(''),
);

describe('fsma204-csv encoding', () => {
  it('writes every field byte for byte as csv-stringify does', () => {
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 8 }), (fields) => {
        expect(`${fields.map(csvField).join(',')}\r\n`).toBe(stringify([fields], CSV_OPTIONS));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes rows byte for byte as csv-stringify writes their guarded cells, the header first', async () => {
    const columns = fc.uniqueArray(fc.constantFrom(...ALL_COLUMNS), { maxLength: 30 });
    const row = fc.record({ cte: fc.constantFrom(...CTES), columns, values: fc.array(cell, { minLength: 30, maxLength: 30 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 5 }), async (rows) => {
        // Prepare
        const chunks: string[] = [];
        const writer = new FsmaCsvWriter({ write: async (c) => void chunks.push(c.toString()) });
        const made = rows.map((r, i) =>
          rowOf(r.cte, `E${i}`, i, Object.fromEntries(r.columns.map((c, j) => [c, r.values[j] ?? ''])) as Partial<Record<FsmaColumn, string>>),
        );
        // Act
        await writer.write(made.map((r) => writer.encode(r)));
        await writer.end();
        // Assess
        const expected = made.map((r) => [
          r.cte,
          ...ALL_COLUMNS.map((c) => {
            const v = r.cells[c] ?? '';
            return FREE_TEXT_COLUMNS.has(c) ? guardCell(v) : v;
          }),
        ]);
        expect(chunks.join('')).toBe(`\uFEFF${stringify([['Critical Tracking Event', ...ALL_COLUMNS], ...expected], CSV_OPTIONS)}`);
      }),
      { numRuns: 200 },
    );
  });

  it('names a row by column or by position alike, and leaves empty cells out', () => {
    const r = rowOf('Shipping', 'E1', 0, { 'Event ID': 'E1', 'Ship Date': '2026-03-01', 'Product Description': '' });
    expect(r.values[ALL_COLUMNS.indexOf('Ship Date')]).toBe('2026-03-01');
    expect(r.cells).toEqual({ 'Event ID': 'E1', 'Ship Date': '2026-03-01' });
    expect(() => rowOf('Shipping', 'E1', 0, { 'No Such Column': 'x' } as never)).toThrow(/no FSMA 204 column No Such Column/);
  });
});
