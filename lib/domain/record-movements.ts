import { forEachLimit } from './concurrency.js';
import { type Issue, issuesOf } from './errors.js';
import { groupCommit } from './group-commit.js';
import { isBulk, type MasterCache } from './ledger-ports.js';
import { Movement } from './movement.js';
import { groupByShared, type Pending } from './record-groups.js';
import { type LedgerDeps, outOfTime, outOfTimeResult, type RecordResult, recordMovement, unsettledResult } from './record-movement.js';

export type BatchReport = { accepted: number; duplicates: number; rejected: number; results: RecordResult[] };

/** How many independent groups of a batch run at once on the careful path. */
const CONCURRENCY = 16;
/** Records planned together before their writes are committed. */
const WINDOW = 250;

/**
 * Record a batch. Each record stands alone: a rejected one writes nothing and does not stop the others, and the
 * outcome is what recording them one by one in batch order would give.
 *
 * Fast path (group commit, see groupCommit): a window of records is read in bulk, planned in batch order and
 * committed together. If such a transaction fails (a concurrent writer, a conflict, a lost response), the records
 * from that point of the window on go through the careful path: one record at a time per lot, re-read and retried,
 * so nothing is lost, doubled or judged against state that did not commit.
 * @example await recordMovements(deps, body.movements) // { accepted: 2, duplicates: 0, rejected: 0, results: [...] }
 */
export async function recordMovements(
  d: LedgerDeps,
  raw: unknown[],
  parse: (r: unknown, i: number) => ParsedRecord = parseRecord,
  /** the body's array (`movements`, `scans`, `records`): every error path then names its record, `movements.3.gtin` */
  prefix?: string,
): Promise<BatchReport> {
  const report = await recordRaw(d, raw, parse);
  return prefix === undefined ? report : { ...report, results: report.results.map((r) => withRecordPaths(r, prefix)) };
}

/**
 * A result's error paths in the contract's form (`movements.3.gtin`, as its error bodies show): a rule's refusal
 * names the field (`gtin`), a schema error the record already. So every error path of one answer has one form
 * (`warnings` keep naming the field of the record they are about).
 * @example withRecordPaths({ index: 3, errors: [{ path: 'gtin', message: 'm' }], ... }, 'movements').errors // [{ path: 'movements.3.gtin', ... }]
 */
export function withRecordPaths(r: RecordResult, prefix: string): RecordResult {
  if (!r.errors) return r;
  const own = `${prefix}.${r.index}`;
  const named = (e: Issue): Issue => (e.path === own || e.path.startsWith(`${own}.`) ? e : { ...e, path: e.path === '' ? own : `${own}.${e.path}` });
  return { ...r, errors: r.errors.map(named) };
}

async function recordRaw(d: LedgerDeps, raw: unknown[], parse: (r: unknown, i: number) => ParsedRecord): Promise<BatchReport> {
  const results: RecordResult[] = new Array(raw.length);
  const valid: Pending[] = [];
  raw.forEach((r, index) => {
    const p = parse(r, index);
    if (p.ok) valid.push({ index, m: p.movement });
    else results[index] = p.result;
  });
  const cache: MasterCache = { products: new Map(), sites: new Map() };
  const work = recordAll(d, valid, results, cache);
  const deadline = d.timeLeftMs ? d.timeLeftMs() - HARD_MARGIN_MS : undefined;
  if (deadline === undefined) {
    await work;
    return summarize(results);
  }
  // A call still in flight (an SDK retry loop, a slow table) can outlast the margin in which no new attempt starts:
  // at the hard deadline the answer goes out with what is settled, and the rest said plainly to be unsettled.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([
    work.then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline));
    }),
  ]).finally(() => clearTimeout(timer));
  if (settled) return summarize(results);
  work.catch(() => undefined); // it goes on in the background; its writes are idempotent, its errors nobody's
  const answer = results.slice();
  valid.forEach(({ index, m }) => {
    answer[index] ??= unsettledResult(m, index);
  });
  return summarize(answer);
}

/** Time before the caller's end at which the answer goes out, settled or not. */
const HARD_MARGIN_MS = 3_000;

async function recordAll(d: LedgerDeps, valid: Pending[], results: RecordResult[], cache: MasterCache): Promise<void> {
  const ledger = d.ledger;
  if (!isBulk(ledger)) return carefully(d, valid, results, cache, new Map());
  for (let w = 0; w < valid.length; w += WINDOW) {
    const window = valid.slice(w, w + WINDOW);
    if (outOfTime(d)) {
      for (const { index, m } of window) results[index] = outOfTimeResult(m, index);
      continue;
    }
    const { rest, tokens } = await groupCommit({ ...d, ledger }, window, results, cache);
    if (rest.length) await carefully(d, rest, results, cache, tokens);
  }
}

/** The careful path: records that share a lot, serial or eventId run in batch order, one at a time; the rest concurrently. */
async function carefully(d: LedgerDeps, items: Pending[], results: RecordResult[], cache: MasterCache, tokens: Map<number, string>) {
  await forEachLimit(groupByShared(items), CONCURRENCY, async (group) => {
    for (const { index, m } of group) results[index] = await recordMovement(d, m, index, cache, tokens.get(index));
  });
}

export type ParsedRecord = { ok: true; movement: Movement } | { ok: false; result: RecordResult };

/** A record refused before any rule ran: `validation_failed`, each issue naming its field. */
export function invalidRecord(raw: unknown, index: number, errors: Issue[]): ParsedRecord {
  const eventId =
    typeof raw === 'object' && raw !== null && typeof (raw as { eventId?: unknown }).eventId === 'string'
      ? (raw as { eventId: string }).eventId
      : null;
  return {
    ok: false,
    result: {
      index,
      eventId,
      status: 'rejected',
      code: 'validation_failed',
      message: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
    },
  };
}

/** Validate one record of `movements`; issues are reported with paths like `movements.3.gtin`. */
export function parseRecord(r: unknown, index: number, prefix = 'movements'): ParsedRecord {
  const p = Movement.safeParse(r);
  if (p.success) return { ok: true, movement: p.data };
  return invalidRecord(r, index, issuesOf(p.error, [prefix, index]));
}

export function summarize(results: RecordResult[]): BatchReport {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  for (const r of results) {
    if (r.status === 'accepted') accepted++;
    else if (r.status === 'duplicate') duplicates++;
    else rejected++;
  }
  return { accepted, duplicates, rejected, results };
}
