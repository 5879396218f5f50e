import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../lib/config.js';
import { type Clock, systemClock } from '../lib/domain/clock.js';
import type { MasterDataStore } from '../lib/domain/master-data.js';
import { DynamoLedgerStore } from '../lib/store/dynamo-ledger-store.js';
import { DynamoMasterDataStore } from '../lib/store/dynamo-master-data-store.js';
import { DynamoRecallStore } from '../lib/store/dynamo-recall-store.js';

/** Everything a handler needs, built once per cold start. The local server calls the same factory. */
export type Deps = {
  tableName: string;
  doc: DynamoDBDocumentClient;
  master: MasterDataStore;
  /** the ledger: movements in, lots, serials and chains out */
  ledger: DynamoLedgerStore;
  lots: DynamoLedgerStore;
  /** recalls, notices (the outbox) and acknowledgements */
  recalls: DynamoRecallStore;
  outbox: DynamoRecallStore;
  clock: Clock;
  newToken: () => string;
  logger: Logger;
};

export const logger = new Logger({ serviceName: 'lotledger' });

/** A DocumentClient that drops undefined attributes, so optional fields stay absent rather than null. */
export const documentClient = (client = new DynamoDBClient({})) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

let cached: Deps | undefined;
/** The composition root: endpoints come from the SDK's standard `AWS_ENDPOINT_URL_*` variables, never from code. */
export const deps = (): Deps => {
  if (cached) return cached;
  const cfg = loadConfig(['TABLE_NAME']);
  const doc = documentClient();
  const ledger = new DynamoLedgerStore(doc, cfg.TABLE_NAME);
  const recalls = new DynamoRecallStore(doc, cfg.TABLE_NAME);
  cached = {
    tableName: cfg.TABLE_NAME,
    doc,
    master: new DynamoMasterDataStore(doc, cfg.TABLE_NAME),
    ledger,
    lots: ledger,
    recalls,
    outbox: recalls,
    clock: systemClock,
    newToken: randomUUID,
    logger,
  };
  return cached;
};
