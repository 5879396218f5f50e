import { parse } from 'csv-parse/sync';

export type FileFormat = 'csv' | 'ndjson';
/** A record of a batch file with the line it started on, for error reports a person can find. */
/** One record of a batch file, by its line; `notJson` holds the start of an NDJSON line that did not parse. */
export type FileRecord = { line: number; record: unknown; notJson?: string };

/** Pick the format from the file name; NDJSON when it ends in .ndjson/.jsonl/.json, CSV otherwise. */
export function formatOf(name: string): FileFormat {
  return /\.(ndjson|jsonl|json)$/i.test(name) ? 'ndjson' : 'csv';
}

const NUMERIC = new Set(['quantity', 'unitPrice', 'unitCost']);

/**
 * Turn one CSV row into a movement object. Columns are the movement's field names; `reference.type` and
 * `reference.number` (or `referenceType`/`referenceNumber`) fill `reference`; `serials` is separated by `|`, `;` or
 * spaces; `inputs` is `gtin:lot:quantity` items separated by `|` or `;`. Empty cells are left out.
 * @example csvRowToMovement({ eventId: 'e1', type: 'receive', quantity: '5', serials: '' }) // { eventId: 'e1', type: 'receive', quantity: 5 }
 */
export function csvRowToMovement(row: Record<string, string>): Record<string, unknown> {
  // Null prototypes: a column named `__proto__` must reach validation as an unknown field, not vanish into the prototype.
  const m: Record<string, unknown> = Object.create(null);
  const reference: Record<string, string> = Object.create(null);
  for (const [rawKey, rawVal] of Object.entries(row)) {
    const key = rawKey.trim();
    const val = rawVal.trim();
    if (val === '' || key === '') continue;
    if (key === 'reference.type' || key === 'referenceType') reference.type = val;
    else if (key === 'reference.number' || key === 'referenceNumber') reference.number = val;
    else if (NUMERIC.has(key)) m[key] = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(val) ? Number(val) : val;
    else if (key === 'serials') m.serials = val.split(/[|;\s]+/).filter(Boolean);
    else if (key === 'inputs')
      m.inputs = val
        .split(/[|;]/)
        .filter(Boolean)
        .map((part) => {
          const [gtin, lot, quantity] = part.split(':').map((s) => s.trim());
          return { gtin, lot, quantity: quantity !== undefined && /^[\d.]+$/.test(quantity) ? Number(quantity) : quantity };
        });
    else m[key] = val;
  }
  if (Object.keys(reference).length > 0) m.reference = reference;
  return m;
}

/**
 * Parse a batch file into records. A line that is not valid JSON (NDJSON) becomes a record marked `notJson`, which
 * the ingest rejects by its line without losing the others.
 */
export function parseMovementFile(text: string, format: FileFormat): FileRecord[] {
  const body = text.replace(/^\uFEFF/, '');
  if (format === 'ndjson') {
    const out: FileRecord[] = [];
    body.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push({ line: i + 1, record: JSON.parse(line) });
      } catch {
        out.push({ line: i + 1, record: null, notJson: line.slice(0, 80) });
      }
    });
    return out;
  }
  const rows = parse(body, { columns: true, skip_empty_lines: true, relax_column_count: true, info: true }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  return rows.map((r) => ({ line: r.info.lines, record: csvRowToMovement(r.record) }));
}
