import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import JSZip from 'jszip';
import type { PackageFile } from '../../lib/domain/fda-requests.js';
import type { ApiClient } from '../api-client.js';
import { bad, dim, ok, printJson } from '../output.js';

type FdaView = {
  requestId: string;
  reference: string;
  status: string;
  dueBy: string;
  timeLeft: number;
  version: number;
  files?: PackageFile[];
  kdeGaps?: number;
  packageSha256?: string;
  url?: string;
  error?: string;
};

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Check a downloaded package: its own SHA-256, and each file inside against the manifest inside it and the file list
 * the API gave. Returns the problems found (empty when it is intact).
 * @example await checkPackage(zipBytes, view) // []
 */
export async function checkPackage(zipBytes: Uint8Array, view: Pick<FdaView, 'files' | 'packageSha256'>): Promise<string[]> {
  const problems: string[] = [];
  if (view.packageSha256 && sha(zipBytes) !== view.packageSha256) problems.push(`package sha256 ${sha(zipBytes)} is not ${view.packageSha256}`);
  const zip = await JSZip.loadAsync(zipBytes);
  const manifestText = await zip.file('manifest.json')?.async('string');
  if (!manifestText) return [...problems, 'manifest.json is missing'];
  const manifest = JSON.parse(manifestText) as { files: PackageFile[] };
  for (const f of manifest.files) {
    const body = await zip.file(f.name)?.async('uint8array');
    if (!body) problems.push(`${f.name} is missing`);
    else if (sha(body) !== f.sha256) problems.push(`${f.name}: sha256 ${sha(body)} is not the manifest's ${f.sha256}`);
  }
  for (const f of view.files ?? []) {
    const body = await zip.file(f.name)?.async('uint8array');
    if (body && sha(body) !== f.sha256) problems.push(`${f.name}: sha256 does not match the API's ${f.sha256}`);
  }
  return problems;
}

/**
 * `lotledger fda-request --reference R --requested-at T --name N [--agency A] --from D --to D [--gtin G]... [--lot G/L]... -o FILE`:
 * start an FDA request, wait for its package with a progress bar of the 24 hours (on a terminal), download it and
 * check every SHA-256. Exit 1 when the package failed or does not check out.
 */
export async function fdaRequestCommand(
  api: ApiClient,
  o: {
    reference: string;
    requestedAt: string;
    name: string;
    agency?: string;
    email?: string;
    from: string;
    to: string;
    gtin?: string[];
    lot?: string[];
    output: string;
    json?: boolean;
    pollMs?: number;
    timeoutMs?: number;
  },
): Promise<number> {
  const lots = (o.lot ?? []).map((s) => {
    const [gtin, ...rest] = s.split('/');
    return { gtin: gtin ?? '', lot: rest.join('/') };
  });
  const body = {
    reference: o.reference,
    requestedAt: o.requestedAt,
    requestedBy: { name: o.name, ...(o.agency ? { agency: o.agency } : {}), ...(o.email ? { email: o.email } : {}) },
    from: o.from,
    to: o.to,
    ...(o.gtin?.length ? { gtins: o.gtin } : {}),
    ...(lots.length ? { lots } : {}),
  };
  const started = await api.post<FdaView>('/fda-requests', body);
  const tty = Boolean(process.stderr.isTTY) && !o.json;
  const bar = tty
    ? new SingleBar({ format: 'FDA request [{bar}] {percentage}% {status} | due {dueBy}', stream: process.stderr, hideCursor: true })
    : undefined;
  bar?.start(100, 5, { status: 'preparing', dueBy: started.dueBy });
  const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000);
  let view: FdaView = started;
  let tick = 5;
  for (;;) {
    view = await api.get<FdaView>(`/fda-requests/${encodeURIComponent(started.requestId)}`);
    if (view.status !== 'preparing') break;
    if (Date.now() > deadline) {
      bar?.stop();
      console.error(bad(`FDA request ${started.requestId} still preparing after the timeout`));
      return 1;
    }
    tick = Math.min(95, tick + 5);
    bar?.update(tick, { status: view.status, dueBy: view.dueBy });
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  }
  bar?.update(100, { status: view.status, dueBy: view.dueBy });
  bar?.stop();
  if (view.status === 'failed' || !view.url) {
    if (o.json) printJson({ requestId: view.requestId, status: view.status, error: view.error ?? 'no download URL' });
    else console.error(bad(`FDA request ${view.requestId} failed: ${view.error ?? 'no download URL'}`));
    return 1;
  }
  const res = await fetch(view.url);
  if (!res.ok) {
    console.error(bad(`download failed: HTTP ${res.status}`));
    return 1;
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  const problems = await checkPackage(bytes, view);
  await writeFile(problems.length ? `${o.output}.part` : o.output, bytes);
  const summary = {
    requestId: view.requestId,
    reference: view.reference,
    status: view.status,
    dueBy: view.dueBy,
    timeLeft: view.timeLeft,
    file: problems.length ? `${o.output}.part` : o.output,
    sha256: sha(bytes),
    files: view.files,
    kdeGaps: view.kdeGaps,
    verified: problems.length === 0,
    problems,
  };
  if (o.json) printJson(summary);
  else if (problems.length === 0)
    console.log(
      `${ok('✓')} ${o.output}: package v${view.version} of ${view.reference}, ${view.files?.length ?? 0} files checked, ${view.kdeGaps ?? 0} KDE gaps ${dim(`(due ${view.dueBy}; request ${view.requestId})`)}`,
    );
  else for (const p of problems) console.error(bad(`✗ ${p}`));
  return problems.length ? 1 : 0;
}
