import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExportFormat, ExportView } from '../../lib/domain/exports.js';
import { retry } from '../../lib/domain/retry.js';
import { type ApiClient, ApiError } from '../api-client.js';
import { bad, dim, ok, printJson } from '../output.js';

/** CLI names of the formats. */
export const EXPORT_KINDS = { fsma204: 'fsma204-csv', 'fsma204-xlsx': 'fsma204-xlsx', epcis: 'epcis-jsonld' } as const satisfies Record<
  string,
  ExportFormat
>;
export type ExportKind = keyof typeof EXPORT_KINDS;

/**
 * POST /exports with one Idempotency-Key for every try: a 503 (the queue was busy) or an unreachable API is tried again
 * up to `tries` times, and a request that did reach the API before the connection dropped is not started twice.
 */
export async function startExport(
  api: Pick<ApiClient, 'post'>,
  body: Record<string, string>,
  o: { tries?: number; backoffMs?: number; key?: string } = {},
): Promise<{ exportId: string }> {
  const headers = { 'idempotency-key': o.key ?? `cli-${randomUUID()}` };
  const backoffMs = o.backoffMs ?? 1000;
  return retry(() => api.post<{ exportId: string }>('/exports', body, headers), {
    attempts: o.tries ?? 3,
    delayMs: (attempt) => backoffMs * attempt,
    retryable: (e) => (e instanceof ApiError ? e.status === 503 : true),
  });
}

const SPIN = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * `lotledger export fsma204|fsma204-xlsx|epcis --from D --to D [--gtin G --lot L] -o FILE`: start the export, follow it
 * (a spinner on stderr, only on a terminal), download it with the presigned URL and check its SHA-256 against the
 * manifest. Exit 1 when the export failed or the file does not match (the download is then left as FILE.part).
 */
export async function exportCommand(
  api: ApiClient,
  kind: ExportKind,
  o: { from: string; to: string; gtin?: string; lot?: string; output: string; json?: boolean; pollMs?: number; timeoutMs?: number },
): Promise<number> {
  const started = await startExport(api, {
    format: EXPORT_KINDS[kind],
    from: o.from,
    to: o.to,
    ...(o.gtin ? { gtin: o.gtin } : {}),
    ...(o.lot ? { lot: o.lot } : {}),
  });
  const tty = Boolean(process.stderr.isTTY) && !o.json;
  const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000);
  let view: ExportView;
  let tick = 0;
  for (;;) {
    view = await api.get<ExportView>(`/exports/${encodeURIComponent(started.exportId)}`);
    if (view.status === 'complete' || view.status === 'failed') break;
    if (Date.now() > deadline) {
      if (tty) process.stderr.write('\r\x1b[K');
      console.error(bad(`export ${started.exportId} still ${view.status} after the timeout`));
      return 1;
    }
    if (tty) process.stderr.write(`\r${SPIN[tick++ % SPIN.length]} export ${started.exportId} ${view.status}…\x1b[K`);
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  }
  if (tty) process.stderr.write('\r\x1b[K');
  if (view.status === 'failed' || !view.url) {
    if (o.json) printJson({ exportId: view.exportId, status: view.status, error: view.error ?? 'no download URL' });
    else console.error(bad(`export ${view.exportId} failed: ${view.error ?? 'no download URL'}`));
    return 1;
  }
  const expected = view.manifest?.sha256 ?? view.sha256;
  const part = `${o.output}.part`;
  const res = await fetch(view.url);
  if (!res.ok || !res.body) {
    console.error(bad(`download failed: HTTP ${res.status}`));
    return 1;
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(res.body as Parameters<typeof Readable.fromWeb>[0]), tap, createWriteStream(part));
  const actual = hash.digest('hex');
  const verified = expected !== null && expected !== undefined && actual === expected && (view.sha256 === null || view.sha256 === actual);
  if (verified) await rename(part, o.output);
  const summary = {
    exportId: view.exportId,
    status: view.status,
    format: view.format,
    file: verified ? o.output : part,
    rowCount: view.rowCount ?? view.manifest?.rowCount,
    bytes,
    sha256: actual,
    expectedSha256: expected,
    verified,
    manifestKey: view.manifestKey,
  };
  if (o.json) printJson(summary);
  else if (verified)
    console.log(
      `${ok('✓')} ${o.output}: ${summary.rowCount} rows, ${bytes} bytes, sha256 ${actual} ${dim(`(matches manifest ${view.manifestKey})`)}`,
    );
  else console.error(bad(`✗ ${part}: sha256 ${actual} does not match the manifest's ${expected}`));
  if (!verified) return 1;
  return 0;
}
