import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type FileRecord, formatOf, parseMovementFile } from '../../lib/domain/batch-file.js';
import type { RecordResult } from '../../lib/domain/record-movement.js';
import type { BatchReport } from '../../lib/domain/record-movements.js';
import type { ApiClient } from '../api-client.js';
import { bad, bold, dim, ok, printJson } from '../output.js';

const BATCH = 500;

/** `lotledger ingest FILE`: send a CSV/NDJSON file in batches of 500, in order; exit 1 when any record was rejected. */
export async function ingest(api: ApiClient, file: string, opts: { json?: boolean; format?: 'csv' | 'ndjson' }): Promise<number> {
  const text = await readFile(file, 'utf8');
  const records: FileRecord[] = parseMovementFile(text, opts.format ?? formatOf(file));
  const bar =
    process.stderr.isTTY && !opts.json && records.length > BATCH
      ? new SingleBar({ format: `${basename(file)} [{bar}] {value}/{total} records`, stream: process.stderr, hideCursor: true })
      : undefined;
  bar?.start(records.length, 0);
  const totals = { accepted: 0, duplicates: 0, rejected: 0 };
  const rejections: (RecordResult & { line: number })[] = [];
  try {
    for (let i = 0; i < records.length; i += BATCH) {
      const chunk = records.slice(i, i + BATCH);
      const r = await api.post<BatchReport>('/movements', { movements: chunk.map((c) => c.record) });
      totals.accepted += r.accepted;
      totals.duplicates += r.duplicates;
      totals.rejected += r.rejected;
      for (const res of r.results) {
        if (res.status === 'rejected') {
          // The API names paths within its batch; a person wants the file's line.
          const line = (chunk[res.index] as FileRecord).line;
          rejections.push({ ...res, line, errors: res.errors?.map((e) => ({ ...e, path: e.path.replace(/^movements\.\d+\.?/, '') })) });
        }
      }
      bar?.update(Math.min(records.length, i + BATCH));
    }
  } finally {
    bar?.stop();
  }
  if (opts.json) printJson({ file, records: records.length, ...totals, rejections });
  else {
    console.log(
      `${bold(basename(file))}: ${records.length} records, ${ok(`${totals.accepted} accepted`)}, ${totals.duplicates} duplicate, ${totals.rejected ? bad(`${totals.rejected} rejected`) : '0 rejected'}`,
    );
    for (const r of rejections.slice(0, 10)) {
      const why = r.errors?.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ') ?? r.code;
      console.log(`  ${dim(`line ${r.line}`)} ${r.eventId ?? '(no eventId)'}: ${why}`);
    }
    if (rejections.length > 10) console.log(dim(`  ... and ${rejections.length - 10} more (use --json for all)`));
  }
  return totals.rejected > 0 ? 1 : 0;
}
