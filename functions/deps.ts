import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../lib/config.js';
import { type Clock, systemClock } from '../lib/domain/clock.js';
import type { AlertPublisher, AlertStore, LotIndex } from '../lib/domain/expiry-ports.js';
import type { Plan } from '../lib/domain/ledger.js';
import type { MasterDataStore } from '../lib/domain/master-data.js';
import type { Movement } from '../lib/domain/movement.js';
import { loadQaConfig, type QaConfig, qaAfterAccepted } from '../lib/domain/quality.js';
import { SnsAlertPublisher } from '../lib/notify/sns-alert-publisher.js';
import { documentClient } from '../lib/store/document-client.js';
import { DynamoAlertStore } from '../lib/store/dynamo-alert-store.js';
import { DynamoLedgerStore } from '../lib/store/dynamo-ledger-store.js';
import { DynamoLotIndex } from '../lib/store/dynamo-lot-index.js';
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
  /** expiry and QA alert records, and the alerts topic they go to */
  alerts: AlertStore;
  alertPublisher: AlertPublisher;
  /** the lot indexes: FEFO order per GTIN, and lots near expiry */
  lotIndex: LotIndex;
  /** the defect-rate threshold of automatic QA holds */
  qa: QaConfig;
  /** runs after each accepted movement (the defect-rate QA check); never fails the movement */
  afterAccepted?: (m: Movement, plan: Plan) => Promise<void>;
  log?: (msg: string, extra?: object) => void;
};

export const logger = new Logger({ serviceName: 'lotledger' });
const log = (msg: string, extra: object = {}) => logger.warn(msg, { ...extra });

export { documentClient };

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
    alerts: new DynamoAlertStore(doc, cfg.TABLE_NAME),
    // The topic is read when an alert is sent, so handlers that never send one start without ALERTS_TOPIC_ARN.
    alertPublisher: new SnsAlertPublisher(new SNSClient({}), () => loadConfig(['ALERTS_TOPIC_ARN']).ALERTS_TOPIC_ARN),
    lotIndex: new DynamoLotIndex(doc, cfg.TABLE_NAME),
    qa: loadQaConfig(),
    log,
  };
  cached.afterAccepted = qaAfterAccepted(cached);
  return cached;
};
