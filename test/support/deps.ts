import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../../functions/deps.js';
import { logger } from '../../functions/deps.js';
import { type Clock, fixedClock } from '../../lib/domain/clock.js';
import { QA_DEFAULTS } from '../../lib/domain/quality.js';
import { DynamoAlertStore } from '../../lib/store/dynamo-alert-store.js';
import { DynamoLedgerStore } from '../../lib/store/dynamo-ledger-store.js';
import { DynamoLotIndex } from '../../lib/store/dynamo-lot-index.js';
import { DynamoMasterDataStore } from '../../lib/store/dynamo-master-data-store.js';
import { DynamoRecallStore } from '../../lib/store/dynamo-recall-store.js';
import { FakeAlertPublisher } from './alerts.js';

/** The handlers' dependencies over a given table, with a fixed clock by default and the alerts topic in memory
 * (`FakeAlertPublisher`). No `afterAccepted` hook: tests of the QA check add it. */
export function depsFor(doc: DynamoDBDocumentClient, tableName: string, clock: Clock = fixedClock('2026-03-01T12:00:00Z')): Deps {
  const ledger = new DynamoLedgerStore(doc, tableName);
  const recalls = new DynamoRecallStore(doc, tableName);
  return {
    tableName,
    doc,
    master: new DynamoMasterDataStore(doc, tableName),
    ledger,
    lots: ledger,
    recalls,
    outbox: recalls,
    clock,
    logger,
    newToken: randomUUID,
    alerts: new DynamoAlertStore(doc, tableName),
    alertPublisher: new FakeAlertPublisher(),
    lotIndex: new DynamoLotIndex(doc, tableName),
    qa: QA_DEFAULTS,
  };
}
