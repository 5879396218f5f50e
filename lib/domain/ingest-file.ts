import { formatOf, parseMovementFile } from './batch-file.js';
import type { LedgerDeps, RecordResult } from './record-movement.js';
import { invalidRecord, parseRecord, recordMovements, summarize, withRecordPaths } from './record-movements.js';

/** Port over the ingest bucket. */
export interface FileStore {
  read(key: string): Promise<{ text: string; etag: string } | undefined>;
  /** the source etag recorded in an existing results report, if there is one */
  reportEtag(key: string): Promise<string | undefined>;
  writeReport(key: string, body: string): Promise<void>;
}

export type FileReport = {
  source: { key: string; etag: string; format: string };
  processedAt: string;
  records: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  results: (RecordResult & { line: number })[];
};

/** `incoming/a/b.csv` → `results/a/b.csv.json` */
export const reportKeyFor = (key: string, prefix = 'incoming/') => `results/${key.startsWith(prefix) ? key.slice(prefix.length) : key}.json`;

const CHUNK = 500;

/**
 * Ingest one batch file: records in chunks of 500 through the same rules as POST /movements, then a per-record
 * report beside it. Idempotent twice over: a file whose report already names its etag is skipped, and every record
 * is idempotent by eventId, so a run retried halfway writes each movement once.
 */
export async function ingestFile(d: LedgerDeps & { ingestFiles: FileStore }, key: string): Promise<FileReport | 'skipped' | 'missing'> {
  const reportKey = reportKeyFor(key);
  const file = await d.ingestFiles.read(key);
  if (!file) return 'missing';
  if ((await d.ingestFiles.reportEtag(reportKey)) === file.etag) return 'skipped';
  const format = formatOf(key);
  const records = parseMovementFile(file.text, format);
  const results: (RecordResult & { line: number })[] = [];
  for (let i = 0; i < records.length; i += CHUNK) {
    const chunk = records.slice(i, i + CHUNK);
    const report = await recordMovements(
      d,
      chunk.map((r) => r.record),
      (r, j) => {
        const bad = chunk[j]?.notJson;
        if (bad === undefined) return parseRecord(r, i + j, 'records');
        const message = `line ${chunk[j]?.line} is not valid JSON: ${JSON.stringify(bad)}`;
        return invalidRecord(r, i + j, [{ path: `records.${i + j}`, message }]);
      },
    );
    report.results.forEach((r, j) => {
      // every error path names its record (records.N.field), as POST /movements answers do
      results.push({ ...withRecordPaths({ ...r, index: i + j }, 'records'), line: (chunk[j] as { line: number }).line });
    });
  }
  const totals = summarize(results);
  const out: FileReport = {
    source: { key, etag: file.etag, format },
    processedAt: d.clock.now().toISOString(),
    records: records.length,
    accepted: totals.accepted,
    duplicates: totals.duplicates,
    rejected: totals.rejected,
    results,
  };
  await d.ingestFiles.writeReport(reportKey, JSON.stringify(out, null, 2));
  return out;
}
