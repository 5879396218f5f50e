import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../lib/domain/clock.js';
import { addDays, runExpiryCheck } from '../lib/domain/expiry.js';
import type { LotState } from '../lib/domain/ledger.js';
import { SnsAlertPublisher } from '../lib/notify/sns-alert-publisher.js';
import { batchPutAll } from '../lib/store/batch-put.js';
import { documentClient } from '../lib/store/document-client.js';
import { DynamoAlertStore } from '../lib/store/dynamo-alert-store.js';
import { DynamoLedgerStore, lotItems } from '../lib/store/dynamo-ledger-store.js';
import { DynamoLotIndex } from '../lib/store/dynamo-lot-index.js';
import { DynamoMasterDataStore } from '../lib/store/dynamo-master-data-store.js';
import { countItemsRead } from '../lib/store/read-counter.js';

const GTINS = ['00614141000012', '00614141000029'];

/**
 * `lots` lot heads with stock at `site`, `near` of them expiring within 5 days of `asOf` (the rest 30-400 days out),
 * written straight to the table with BatchWriteItem; then the expiry check as of `asOf` (items read, ms) beside a full
 * table Scan of the same table (items read, ms).
 */
export async function expiryBenchmark(tableName: string, opts: { lots: number; near: number; asOf: string; site: string }) {
  const doc = documentClient();
  const run = randomUUID().slice(0, 5);
  const heads: LotState[] = [];
  for (let i = 0; i < opts.lots; i++) {
    const near = i < opts.near;
    heads.push({
      gtin: GTINS[i % 2] as string,
      lot: `E${run}-${i}`,
      seq: 1,
      headHash: '0'.repeat(64),
      status: 'active',
      statusVersion: 0,
      expiry: addDays(opts.asOf, near ? i % 6 : 30 + (i % 370)),
      unit: 'ea',
      createdAt: new Date().toISOString(),
      balances: { [opts.site]: { q: 10, r: 10 } },
      serialsTotal: 0,
      serialsInStock: 0,
    });
  }
  const seedStarted = performance.now();
  await batchPutAll(
    doc,
    tableName,
    heads.flatMap((l) => lotItems(l)),
  );
  const seedMs = performance.now() - seedStarted;

  const client = new DynamoDBClient({});
  const counter = countItemsRead(client);
  const cdoc = documentClient(client);
  const ledger = new DynamoLedgerStore(cdoc, tableName);
  const sns = new SNSClient({});
  const d = {
    ledger,
    master: new DynamoMasterDataStore(cdoc, tableName),
    lotIndex: new DynamoLotIndex(cdoc, tableName),
    alerts: new DynamoAlertStore(cdoc, tableName),
    alertPublisher: new SnsAlertPublisher(sns, process.env.ALERTS_TOPIC_ARN as string),
    clock: systemClock,
  };
  const started = performance.now();
  const report = await runExpiryCheck(d, opts.asOf);
  const checkMs = performance.now() - started;
  const check = { items: counter.items, requests: counter.requests, ms: checkMs };

  counter.items = 0;
  counter.requests = 0;
  const scanStarted = performance.now();
  let start: Record<string, unknown> | undefined;
  do {
    const r: ScanCommandOutput = await cdoc.send(new ScanCommand({ TableName: tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
    start = r.LastEvaluatedKey;
  } while (start);
  const scan = { items: counter.items, requests: counter.requests, ms: performance.now() - scanStarted };
  client.destroy();
  sns.destroy();
  return {
    seeded: heads.length,
    seedMs,
    expiringSoon: report.expiringSoon.length,
    expired: report.expired.length,
    alertsPublished: report.alertsPublished,
    check,
    scan,
  };
}
