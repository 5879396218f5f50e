import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import JSZip from 'jszip';
import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import type { ExportFormat, ExportRequest } from '../domain/exports.js';
import { type FdaRequest, type FdaRequestStore, type PackageFile, packageKeyOf } from '../domain/fda-requests.js';
import { isTransientError } from '../domain/transient-errors.js';
import type { EntryDays } from './day-pages.js';
import { ExportLookup, type ExportSources } from './export-lookup.js';
import { LedgerCut, type Produced, resolveCutHeads } from './export-run.js';
import { EXPORT_WRITERS } from './formats.js';
import { type StreamingObject, settleCut } from './run-export.js';

export type FdaPackageDeps = {
  fda: FdaRequestStore;
  /** the Object-Lock export bucket */
  exportFiles: { open(key: string, contentType: string): StreamingObject };
  days: EntryDays;
  sources: ExportSources;
  clock: Clock;
  /** see RunExportDeps */
  chainTrailMs: number;
};

/** The package's data files, in the order the README lists them. */
const DATA_FILES: { format: ExportFormat; name: (r: FdaRequest) => string; holds: string }[] = [
  {
    format: 'fsma204-xlsx',
    name: (r) => `fsma204-${r.from}-${r.to}.xlsx`,
    holds: 'the FDA electronic sortable spreadsheet: one tab per critical tracking event, KDE Gaps, Glossary',
  },
  { format: 'fsma204-csv', name: (r) => `fsma204-${r.from}-${r.to}.csv`, holds: 'the same records as one sortable CSV sheet (UTF-8 with BOM)' },
  { format: 'epcis-jsonld', name: (r) => `epcis-${r.from}-${r.to}.jsonld`, holds: 'the same events as a GS1 EPCIS 2.0 JSON-LD document' },
];

type Written = PackageFile & { path: string; rows: number };

/** Write one format into a temporary file through the export writers, hashing it as it goes. */
async function writeFile(d: FdaPackageDeps, r: FdaRequest, cut: LedgerCut, dir: string, f: (typeof DATA_FILES)[number]) {
  const path = join(dir, f.name(r));
  const out = createWriteStream(path);
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = {
    write: async (chunk: string | Buffer) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      hash.update(b);
      bytes += b.length;
      if (!out.write(b)) await once(out, 'drain');
    },
  };
  const request: ExportRequest = {
    format: f.format,
    from: r.from,
    to: r.to,
    ...(r.gtins ? { gtins: r.gtins } : {}),
    ...(r.lots ? { lots: r.lots } : {}),
  };
  const lookup = new ExportLookup(d.sources);
  const produced: Produced = { rowCount: 0, lots: new Map(), kdeGaps: 0 };
  await EXPORT_WRITERS[f.format].write({
    request,
    days: d.days,
    lookup,
    out: sink,
    produced,
    clock: d.clock,
    requestedBy: `${r.requestedBy.name}${r.requestedBy.agency ? `, ${r.requestedBy.agency}` : ''}`,
    requestedAt: r.requestedAt,
    reference: r.reference,
    cut,
  });
  out.end();
  await once(out, 'close');
  const heads = await resolveCutHeads(d.sources, lookup, cut, produced);
  const file: Written = { name: f.name(r), sha256: hash.digest('hex'), bytes, path, rows: produced.rowCount };
  return { file, heads, kdeGaps: produced.kdeGaps };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function readme(r: FdaRequest, version: number, files: Written[], kdeGaps: number, generatedAt: string): string {
  const lines = [
    `FSMA 204 records for FDA request ${r.reference}`,
    '',
    `Requested by: ${r.requestedBy.name}${r.requestedBy.agency ? ` (${r.requestedBy.agency})` : ''}${r.requestedBy.email ? ` <${r.requestedBy.email}>` : ''}`,
    `Requested at: ${r.requestedAt}; due by ${r.dueBy} (21 CFR 1.1455(c): within 24 hours)`,
    `Scope: events dated ${r.from} to ${r.to}; products: ${r.gtins?.join(', ') ?? 'all on the Food Traceability List'}; lots: ${
      r.lots?.map((l) => `${l.gtin}/${l.lot}`).join(', ') ?? 'all'
    }`,
    `Ledger read at: ${r.cutAt} (one consistent read: every file holds the entries recorded up to that instant)`,
    `Package version ${version}, generated ${generatedAt}${r.signOff ? `; checked and signed off by ${r.signOff.name}, ${r.signOff.title}, at ${r.signOff.at}` : ''}`,
    '',
    'Files:',
    ...DATA_FILES.map((f, i) => `  ${files[i]?.name}: ${f.holds} (${files[i]?.rows} rows or events)`),
    '  manifest.json: the SHA-256 and size of every file above, the request, and the ledger chain heads the files were built from',
    '',
    `KDE gaps: ${kdeGaps} required key data elements are missing; the xlsx KDE Gaps tab lists each with the CFR paragraph that asks for it.`,
    '',
  ];
  return lines.join('\r\n');
}

/**
 * Build the next package version of an FDA request: the XLSX, CSV and EPCIS files from one consistent read (the
 * request's `cutAt`), a README and a manifest of SHA-256s and ledger heads, zipped into the Object-Lock bucket, then
 * the request becomes `ready` (or `signed-off` when the version carries a sign-off). A request that is not
 * `preparing` is left alone, so a redelivered message does nothing twice. A transient error is rethrown for the queue
 * to retry; anything else marks the request `failed` with a readable error.
 * @example await runFdaPackage(d, 'FDA-0123')
 */
export async function runFdaPackage(d: FdaPackageDeps, requestId: string): Promise<FdaRequest | undefined> {
  const r = await d.fda.get(requestId);
  if (!r) return r;
  const version = r.version + 1;
  // the first version (`preparing`), or the one a sign-off asked for (`building`, whatever the status is by now)
  if (r.status !== 'preparing' && r.building !== version) return r;
  const dir = mkdtempSync(join(tmpdir(), 'lotledger-fda-'));
  try {
    const cut = new LedgerCut(r.cutAt);
    await settleCut(d, cut.at);
    const written: Written[] = [];
    const heads = new Map<string, { gtin: string; lot: string; seq: number; hash: string }>();
    let kdeGaps = 0;
    for (const f of DATA_FILES) {
      const w = await writeFile(d, r, cut, dir, f);
      written.push(w.file);
      for (const h of w.heads) heads.set(`${h.gtin}|${h.lot}`, h);
      if (f.format === 'fsma204-xlsx') kdeGaps = w.kdeGaps;
    }
    const generatedAt = d.clock.now().toISOString();
    const readmeBody = Buffer.from(readme(r, version, written, kdeGaps, generatedAt), 'utf8');
    const manifest = {
      manifestVersion: 1,
      requestId: r.requestId,
      reference: r.reference,
      version,
      request: { from: r.from, to: r.to, gtins: r.gtins ?? [], lots: r.lots ?? [] },
      requestedBy: r.requestedBy,
      requestedAt: r.requestedAt,
      dueBy: r.dueBy,
      cutAt: r.cutAt,
      generatedAt,
      kdeGaps,
      files: [
        ...written.map(({ name, sha256, bytes, rows }) => ({ name, sha256, bytes, rows })),
        { name: 'README.txt', sha256: sha(readmeBody), bytes: readmeBody.length },
      ],
      lots: [...heads.values()].sort((a, b) => (a.gtin < b.gtin ? -1 : a.gtin > b.gtin ? 1 : a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0)),
      ...(r.signOff ? { signOff: r.signOff } : {}),
    };
    const manifestBody = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    const zip = new JSZip();
    const date = new Date(generatedAt);
    for (const w of written) zip.file(w.name, createReadStream(w.path), { date });
    zip.file('README.txt', readmeBody, { date });
    zip.file('manifest.json', manifestBody, { date });
    const key = packageKeyOf(r.requestId, version);
    const object = d.exportFiles.open(key, 'application/zip');
    let stored: { bytes: number; sha256: string };
    try {
      const stream = zip.generateNodeStream({ streamFiles: true, compression: 'DEFLATE', compressionOptions: { level: 6 } });
      // JSZip's stream is a classic Node stream (not async-iterable): pipe it into the upload with backpressure.
      const sink = new Writable({
        write: (chunk: Buffer, _enc, cb) => {
          object.write(chunk).then(() => cb(), cb);
        },
      });
      await pipeline(stream, sink);
      stored = await object.end();
    } catch (e) {
      await object.abort();
      throw e;
    }
    const files: PackageFile[] = [
      ...manifest.files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })),
      { name: 'manifest.json', sha256: sha(manifestBody), bytes: manifestBody.length },
    ];
    // Record the version on the request as it is now: a `sent` (or another sign-off) may have landed while it was built.
    for (let attempt = 0; ; attempt++) {
      const latest = (await d.fda.get(requestId)) ?? r;
      if (latest.version >= version) return latest;
      const now = d.clock.now().toISOString();
      const done: FdaRequest = {
        ...latest,
        status: latest.status === 'sent' ? 'sent' : latest.signOff ? 'signed-off' : 'ready',
        version,
        packageKey: key,
        packageSha256: stored.sha256,
        files,
        kdeGaps,
        updatedAt: now,
        attempts: latest.attempts + 1,
        history: [
          ...latest.history,
          { at: now, action: 'ready', version, detail: `package v${version}, ${stored.bytes} bytes, sha256 ${stored.sha256}` },
        ],
      };
      delete done.error;
      // a later sign-off asked for one more version: it stays asked for
      if (done.building === undefined || done.building <= version) delete done.building;
      if (await d.fda.replace(done, latest.updatedAt)) return done;
      if (attempt >= 10) throw new AppError('busy', `FDA request ${requestId} kept changing while its package was recorded; try again`);
    }
  } catch (e) {
    if (isTransientError(e)) throw e;
    const now = d.clock.now().toISOString();
    const reason = e instanceof AppError ? e.message : `package failed: ${(e as Error).name}: ${(e as Error).message}`;
    await d.fda.save({
      ...r,
      status: 'failed',
      error: reason,
      updatedAt: now,
      attempts: r.attempts + 1,
      history: [...r.history, { at: now, action: 'failed', detail: reason }],
    });
    if (e instanceof AppError) return undefined;
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
