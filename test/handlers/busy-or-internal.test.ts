import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makePostMovements } from '../../functions/post-movements.js';
import { lambdaContext } from '../../infra/local/lambda-event.js';
import type { LedgerStore } from '../../lib/domain/ledger-ports.js';
import { ANSWER_MARGIN_MS } from '../../lib/domain/record-movement.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { noSleep } from '../../lib/domain/retry.js';
import { documentClient } from '../../lib/store/document-client.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv } from '../support/fixtures.js';
import { call, httpEvent } from '../support/http.js';
import { memoryLedger } from '../support/memory-ledger.js';

const receive = () => mv({ type: 'receive', counterparty: 'farm-1', expiry: '2026-03-20' });

/** A service-shaped error as the SDK throws it. */
const sdkError = (name: string, message: string, status: number) =>
  Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });

type Plan = Parameters<LedgerStore['commit']>[0];
type Commit = (plan: Plan, n: number, memory: LedgerStore) => ReturnType<LedgerStore['commit']>;

/** The memory ledger's plain port (the careful path) whose n-th commit goes through `commit`, with no waits between attempts. */
async function ledgerWith(commit: Commit) {
  const d = await memoryLedger();
  let commits = 0;
  const ledger: LedgerStore = {
    snapshot: (m, c) => d.ledger.snapshot(m, c),
    commit: (plan) => commit(plan, ++commits, d.ledger),
    getEvent: (id) => d.ledger.getEvent(id),
  };
  return { d: { ...d, ledger, sleep: noSleep }, memory: d.ledger, commits: () => commits };
}

describe('the ledger retry loop: busy only for a bounded conflict or throttling', () => {
  it('retries throttling and answers busy when it lasts, saying what happened and nothing internal', async () => {
    const { d, memory, commits } = await ledgerWith(async () => {
      throw sdkError('ThrottlingException', 'Rate of requests exceeds the allowed throughput (arn:aws:dynamodb:secret-table)', 400);
    });
    const r = await recordMovements(d, [receive()]);
    expect(r.results[0]).toMatchObject({ status: 'rejected', code: 'busy', errors: [{ path: '' }] });
    expect(r.results[0]?.message).toBe(
      'The ledger is busy (the table kept throttling or not answering, 40 attempts); nothing was written for this record. Sending it again is safe.',
    );
    expect(JSON.stringify(r)).not.toMatch(/arn:|Rate of requests|ThrottlingException/);
    expect(commits()).toBe(40);
    expect(memory.commits).toBe(0);
  });

  it('records the movement once when throttling passes', async () => {
    const { d, memory, commits } = await ledgerWith(async (plan, n, real) => {
      if (n <= 2) throw sdkError('ProvisionedThroughputExceededException', 'slow down', 400);
      return real.commit(plan);
    });
    const r = await recordMovements(d, [receive()]);
    expect(r.results[0]?.status).toBe('accepted');
    expect(commits()).toBe(3);
    expect(memory.commits).toBe(1);
  });

  it('throws at once an error no retry can pass (a bug, a store refusing the data) instead of answering busy', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'q')");
    const { d, commits } = await ledgerWith(async () => {
      throw bug;
    });
    await expect(recordMovements(d, [receive()])).rejects.toBe(bug);
    expect(commits()).toBe(1);
    const refused = sdkError('ValidationException', 'Number overflow. Attempting to store a number with magnitude larger than supported range', 400);
    const other = await ledgerWith(async () => {
      throw refused;
    });
    await expect(recordMovements(other.d, [receive()])).rejects.toBe(refused);
    expect(other.commits()).toBe(1);
  });

  it('finds its own write after an error that came after the commit landed (a lost response)', async () => {
    const { d, memory, commits } = await ledgerWith(async (plan, _n, real) => {
      await real.commit(plan);
      throw new Error('socket hang up');
    });
    const r = await recordMovements(d, [receive()]);
    expect(r.results[0]?.status).toBe('accepted');
    expect(commits()).toBe(1);
    expect(memory.commits).toBe(1);
  });
});

describe('the time an API call has: busy records, never a timeout', () => {
  const busyInTime =
    'The ledger is busy (the request ran out of time before this record could be written); nothing was written for this record. Sending it again is safe.';

  it('stops retrying once fewer than ANSWER_MARGIN_MS are left, and answers the records not yet tried busy without trying them', async () => {
    // Prepare: every commit is throttled, and each one costs a second of the 30 the function has
    const { d, memory, commits } = await ledgerWith(async () => {
      throw sdkError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.', 400);
    });
    const timeLeftMs = () => 30_000 - commits() * 1_000;
    // Act
    const r = await recordMovements({ ...d, timeLeftMs }, [receive(), mv({ type: 'sell', quantity: 1 })]);
    // Assess: attempts while at least 8 s were left (30, 29, ... 8 s: 23 of them), then none, and none for the sell
    // of the same lot that came after it in the batch
    expect(commits()).toBe((30_000 - ANSWER_MARGIN_MS) / 1_000 + 1);
    expect(r.results.map((x) => [x.status, x.code, x.message])).toEqual([
      ['rejected', 'busy', busyInTime],
      ['rejected', 'busy', busyInTime],
    ]);
    expect(memory.commits).toBe(0);
  });

  it('gives a record the fast path handed over one attempt even out of time, since its commit may have landed', async () => {
    // Prepare: the commit lands but its answer is lost; the time is up by then
    let left = 30_000;
    const { d, memory } = await ledgerWith(async (plan, _n, real) => {
      await real.commit(plan);
      left = 1_000;
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });
    });
    // Act
    const r = await recordMovements({ ...d, timeLeftMs: () => left }, [receive()]);
    // Assess: the one attempt found its own write, so the record is accepted, not busy
    expect(r.results[0]?.status).toBe('accepted');
    expect(memory.commits).toBe(1);
  });

  it('answers at the hard deadline with a record still in flight said to be unsettled, not claimed unwritten', async () => {
    // Prepare: a commit that never answers (a call stuck in its own retries), with 20 s left on a fake clock
    vi.useFakeTimers();
    try {
      const { d } = await ledgerWith(() => new Promise(() => undefined));
      const answer = recordMovements({ ...d, timeLeftMs: () => 20_000 }, [receive()]);
      // Act: the hard deadline comes 3 s before the end
      await vi.advanceTimersByTimeAsync(17_000);
      const r = await answer;
      // Assess
      expect(r.results[0]).toMatchObject({ status: 'rejected', code: 'busy' });
      expect(r.results[0]?.message).toContain('it may or may not have been recorded. Sending it again is safe');
    } finally {
      vi.useRealTimers();
    }
  });

  it('POST /movements with too little time left answers 200 with every record busy, writing nothing', async () => {
    const doc = documentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    const ddb = mockClient(doc);
    const d = { ...depsFor(doc, 'tbl'), sleep: noSleep };
    const h = makePostMovements(d);
    const res = (await h(httpEvent('POST', '/movements', { movements: [receive(), receive()] }), lambdaContext('post-movements', 7_000))) as {
      statusCode: number;
      body: string;
    };
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ accepted: 0, rejected: 2, results: [{ code: 'busy' }, { code: 'busy' }] });
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('POST /movements on a failing table', () => {
  const doc = documentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  const ddb = mockClient(doc);
  const lines: string[] = [];
  const logger = new Logger({ serviceName: 'lotledger', logLevel: 'INFO' });
  const base = depsFor(doc, 'tbl');
  const d = { ...base, logger, sleep: noSleep };
  beforeEach(() => {
    ddb.reset();
    lines.length = 0;
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        tbl: [
          {
            pk: `PRODUCT#${GTIN.romaine}`,
            sk: 'PRODUCT',
            entity: 'product',
            gtin: GTIN.romaine,
            description: 'R',
            unit: 'case',
            ftl: true,
            expiryAlertDays: 5,
          },
          { pk: 'SITE#dc-1', sk: 'SITE', entity: 'site', siteId: 'dc-1', kind: 'warehouse', name: 'DC' },
          { pk: 'SITE#farm-1', sk: 'SITE', entity: 'site', siteId: 'farm-1', kind: 'supplier', name: 'Farm' },
        ],
      },
    });
    ddb.on(GetCommand).resolves({});
    for (const stream of [process.stdout, process.stderr])
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
  });
  afterEach(() => vi.restoreAllMocks());
  const logged = () =>
    lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; message: string; error?: { name: string; message: string } });

  it('answers a record busy after transaction conflicts on every attempt, with no internal text', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      }),
    );
    const r = await call<{ rejected: number; results: { code: string; message: string }[] }>(makePostMovements(d), 'POST', '/movements', {
      movements: [receive()],
    });
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ code: 'busy' });
    expect(r.body.results[0]?.message).toContain('other writers kept changing the same lot or serial');
    expect(JSON.stringify(r.body)).not.toMatch(/cancel|TransactionConflict|Exception/i);
  });

  it('answers 500 internal, logging the reason, for an SDK error that cannot pass on retry', async () => {
    ddb.on(TransactWriteCommand).rejects(sdkError('ValidationException', 'One or more parameter values were invalid: secret detail', 400));
    const r = await call(makePostMovements(d), 'POST', '/movements', { movements: [receive()] });
    vi.restoreAllMocks();
    expect(r).toEqual({ status: 500, body: { error: { code: 'internal', message: 'Internal error', details: [] } } });
    // one fast-path try and one careful-path try: no retry loop for an error that will never pass
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    const failed = logged().filter((l) => l.message === 'request failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 'ERROR', error: { name: 'ValidationException', message: expect.stringContaining('secret detail') } });
  });
});
