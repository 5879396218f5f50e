import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../lib/config.js';
import { type Clock, systemClock } from '../lib/domain/clock.js';
import type { MasterDataStore } from '../lib/domain/master-data.js';
import { DynamoMasterDataStore } from '../lib/store/dynamo-master-data-store.js';

/** Everything a handler needs, built once per cold start. The local server calls the same factory. */
export type Deps = {
  tableName: string;
  doc: DynamoDBDocumentClient;
  master: MasterDataStore;
  clock: Clock;
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
  cached = {
    tableName: cfg.TABLE_NAME,
    doc,
    master: new DynamoMasterDataStore(doc, cfg.TABLE_NAME),
    clock: systemClock,
    logger,
  };
  return cached;
};
