import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { type Config, ConfigError, type EnvKey, loadConfig, qaConfig, required } from '../lib/config.js';
import { CHAIN_TRAIL_MS } from '../lib/domain/chain-ledger.js';
import { type Clock, systemClock } from '../lib/domain/clock.js';
import type { AlertPublisher, AlertStore, LotIndex } from '../lib/domain/expiry-ports.js';
import type { ExportJobStore, ExportQueue } from '../lib/domain/exports.js';
import type { FdaQueue, FdaRequestStore } from '../lib/domain/fda-requests.js';
import type { FileStore } from '../lib/domain/ingest-file.js';
import type { LabelSettings } from '../lib/domain/label-requests.js';
import type { SsccStore } from '../lib/domain/labels.js';
import type { ExportLister } from '../lib/domain/listings.js';
import type { MasterDataStore } from '../lib/domain/master-data.js';
import type { NoticeChannel, NoticeSenders } from '../lib/domain/notice-channels.js';
import type { RecallingFirm } from '../lib/domain/notice-message.js';
import type { ContactBook } from '../lib/domain/notice-send.js';
import { type QaConfig, type QaDeps, qaAfterAccepted } from '../lib/domain/quality.js';
import type { ShardQueue } from '../lib/domain/recall.js';
import type { TraceWalk } from '../lib/domain/trace.js';
import { TraceWalks } from '../lib/domain/trace-walks.js';
import type { ExportSources } from '../lib/exports/export-lookup.js';
import type { RunExportDeps } from '../lib/exports/run-export.js';
import { SesEmailSender } from '../lib/notify/ses-email-sender.js';
import { SnsAlertPublisher } from '../lib/notify/sns-alert-publisher.js';
import { SnsNoticePublisher } from '../lib/notify/sns-notice-publisher.js';
import { SnsSmsSender } from '../lib/notify/sns-sms-sender.js';
import { SqsExportQueue } from '../lib/notify/sqs-export-queue.js';
import { SqsShardQueue } from '../lib/notify/sqs-shard-queue.js';
import { documentClient } from '../lib/store/document-client.js';
import { DynamoAlertStore } from '../lib/store/dynamo-alert-store.js';
import { DynamoContactBook } from '../lib/store/dynamo-contact-book.js';
import { DynamoEntryReader, DynamoExportStore } from '../lib/store/dynamo-export-store.js';
import { DynamoFdaRequestStore } from '../lib/store/dynamo-fda-store.js';
import { DynamoLedgerStore } from '../lib/store/dynamo-ledger-store.js';
import { DynamoLotIndex } from '../lib/store/dynamo-lot-index.js';
import { DynamoMasterDataStore } from '../lib/store/dynamo-master-data-store.js';
import { DynamoRecallStore } from '../lib/store/dynamo-recall-store.js';
import { DynamoSsccStore } from '../lib/store/dynamo-sscc-store.js';
import { S3ExportFiles } from '../lib/store/s3-export-files.js';
import { S3FileStore } from '../lib/store/s3-file-store.js';

/** The SDK clients every adapter is built over. */
export type Clients = { doc: DynamoDBDocumentClient; s3: S3Client; sns: SNSClient; sqs: SQSClient; ses?: SESv2Client };

/** Everything a handler or job needs. One object per store, each under one name. */
export type Deps = {
  tableName: string;
  doc: DynamoDBDocumentClient;
  master: MasterDataStore;
  /** the ledger: movements in, lots, serials and chains out */
  ledger: DynamoLedgerStore;
  /** recalls, their notices (the outbox) and acknowledgements */
  recalls: DynamoRecallStore;
  /** expiry and QA alert records, and the alerts topic they go to */
  alerts: AlertStore;
  alertPublisher: AlertPublisher;
  /** the lot indexes: FEFO order per GTIN, and lots near expiry */
  lotIndex: LotIndex;
  /** export jobs, the queue the worker reads, the ledger by day and the lookups of the export rows */
  exports: ExportJobStore & ExportLister;
  queue: ExportQueue;
  /** FDA requests (issue 14): their records, and the export queue their packages ride */
  fda: FdaRequestStore;
  fdaQueue: FdaQueue;
  days: RunExportDeps['days'];
  sources: ExportSources;
  /** the export bucket: export files, their manifests and the ledger checkpoints (when EXPORT_BUCKET is set) */
  exportFiles?: S3ExportFiles;
  /** the recall topic, SES email and SNS SMS (when RECALL_TOPIC_ARN is set) */
  senders?: NoticeSenders;
  /** the notifier's queue of recall shards (NOTIFY_QUEUE_URL, read when first used) */
  shardQueue: ShardQueue;
  /** recipients' contact details: only the notifier reads them */
  contacts: ContactBook;
  /** what notices name and link to (when CONSOLE_URL and RECALLING_FIRM_* are set) */
  notify?: { firm: RecallingFirm; consoleUrl: string };
  /** channels whose delivery an event confirms later (email, with an SES configuration set) */
  confirmsDelivery: NoticeChannel[];
  /** follow-ups before escalation to the other channel */
  escalateAfter: number;
  /** how long a notifier run holds what it took (RECALL_NOTIFIER_LEASE_SECONDS) */
  leaseMs: number;
  /** an acknowledgement link token: 256 random bits, base64url */
  newAckToken: () => string;
  /** batch files and their reports (when INGEST_BUCKET is set) */
  ingestFiles?: FileStore;
  /** issued SSCCs and their counter, and what labels are numbered and linked with */
  ssccs: SsccStore;
  labelSettings: LabelSettings;
  /** the defect-rate threshold of automatic QA holds */
  qa: QaConfig;
  /** hours without an acknowledgement before a consignee gets a follow-up notice */
  followUpHours: number;
  /** how long chaining may trail acceptance; exports wait it out past their cut */
  chainTrailMs: number;
  clock: Clock;
  newToken: () => string;
  /** trace walks kept in this process for their next pages of movements */
  traceWalks: TraceWalks<TraceWalk>;
  logger: Logger;
  /** the domain's warnings, written to `logger` */
  log: (msg: string, extra?: object) => void;
};

/** The parts that exist only when their setting is set, and that setting. */
const SETTING_OF = {
  exportFiles: 'EXPORT_BUCKET',
  senders: 'RECALL_TOPIC_ARN',
  ingestFiles: 'INGEST_BUCKET',
  notify: 'CONSOLE_URL',
} as const satisfies Record<string, EnvKey>;
type Optional = keyof typeof SETTING_OF;
export type Needs<K extends Optional, D extends Partial<Pick<Deps, Optional>> = Deps> = D & { [P in K]-?: NonNullable<D[P]> };

/** `d`, checked to have the optional parts a handler cannot run without; otherwise a ConfigError naming each setting.
 * @example export const handler = makeGetExport(need(deps(), 'exportFiles'));
 */
export function need<D extends Partial<Pick<Deps, Optional>>, K extends Optional>(d: D, ...parts: K[]): Needs<K, D> {
  const missing = parts.filter((p) => d[p] === undefined);
  if (missing.length > 0) throw new ConfigError(missing.map((p) => ({ key: SETTING_OF[p], message: 'is required' })));
  return d as Needs<K, D>;
}

/** `d` with the ledger's `afterAccepted` hook: the defect-rate QA check after each accepted movement. */
export const withQaCheck = <D extends QaDeps>(d: D) => ({ ...d, afterAccepted: qaAfterAccepted(d) });

/** `d` limited to the time the invocation has left: recording stops starting attempts near the function's timeout. */
export const withTimeLimit = <D extends object>(d: D, context: Pick<Context, 'getRemainingTimeInMillis'>) => ({
  ...d,
  timeLeftMs: () => context.getRemainingTimeInMillis(),
});

/** The composition root: every adapter over the given clients and settings. Tests and the local server call it too. */
export function makeDeps(clients: Clients, config: Config): Deps {
  const { doc, s3, sns, sqs } = clients;
  const ses = clients.ses ?? new SESv2Client({});
  const firm =
    config.RECALLING_FIRM_NAME && config.RECALLING_FIRM_PHONE && config.RECALLING_FIRM_EMAIL
      ? { name: config.RECALLING_FIRM_NAME, phone: config.RECALLING_FIRM_PHONE, email: config.RECALLING_FIRM_EMAIL }
      : undefined;
  const table = config.TABLE_NAME;
  const master = new DynamoMasterDataStore(doc, table);
  const days = new DynamoEntryReader(doc, table);
  const logger = new Logger({ serviceName: 'lotledger' });
  const exportQueue = new SqsExportQueue(sqs, () => required(config, 'EXPORT_QUEUE_URL'));
  return {
    tableName: table,
    doc,
    master,
    ledger: new DynamoLedgerStore(doc, table),
    recalls: new DynamoRecallStore(doc, table),
    alerts: new DynamoAlertStore(doc, table),
    // The topic and the queue are read when first used: handlers that never send there start without them.
    alertPublisher: new SnsAlertPublisher(sns, () => required(config, 'ALERTS_TOPIC_ARN')),
    lotIndex: new DynamoLotIndex(doc, table),
    exports: new DynamoExportStore(doc, table),
    queue: exportQueue,
    fda: new DynamoFdaRequestStore(doc, table),
    fdaQueue: exportQueue,
    days,
    sources: {
      master,
      heads: (lots) => days.heads(lots),
      firstEntries: (lot) => days.firstEntries(lot),
      lastEntryAt: (lot, at, below) => days.lastEntryAt(lot, at, below),
    },
    ...(config.EXPORT_BUCKET ? { exportFiles: new S3ExportFiles(s3, config.EXPORT_BUCKET) } : {}),
    ...(config.RECALL_TOPIC_ARN
      ? {
          senders: {
            sns: new SnsNoticePublisher(sns, config.RECALL_TOPIC_ARN),
            email: new SesEmailSender(ses, () => required(config, 'RECALLING_FIRM_EMAIL'), config.SES_CONFIGURATION_SET),
            sms: new SnsSmsSender(sns),
          },
        }
      : {}),
    shardQueue: new SqsShardQueue(sqs, () => required(config, 'NOTIFY_QUEUE_URL')),
    contacts: new DynamoContactBook(doc, table),
    ...(config.CONSOLE_URL && firm ? { notify: { firm, consoleUrl: config.CONSOLE_URL } } : {}),
    confirmsDelivery: config.SES_CONFIGURATION_SET ? ['email'] : [],
    escalateAfter: config.RECALL_ESCALATE_AFTER,
    leaseMs: config.RECALL_NOTIFIER_LEASE_SECONDS * 1000,
    newAckToken: () => randomBytes(32).toString('base64url'),
    ...(config.INGEST_BUCKET ? { ingestFiles: new S3FileStore(s3, config.INGEST_BUCKET) } : {}),
    ssccs: new DynamoSsccStore(doc, table),
    labelSettings: {
      ...(config.GS1_COMPANY_PREFIX ? { companyPrefix: config.GS1_COMPANY_PREFIX } : {}),
      extensionDigit: config.SSCC_EXTENSION_DIGIT,
      digitalLinkBase: config.DIGITAL_LINK_BASE_URL,
    },
    qa: qaConfig(config),
    followUpHours: config.RECALL_FOLLOW_UP_HOURS,
    chainTrailMs: CHAIN_TRAIL_MS,
    clock: systemClock,
    newToken: randomUUID,
    traceWalks: new TraceWalks<TraceWalk>(systemClock, randomUUID),
    logger,
    log: (msg, extra = {}) => logger.warn(msg, { ...extra }),
  };
}

/** The real clients. Endpoints come from the SDK's standard `AWS_ENDPOINT_URL_*` variables, never from code. */
export const awsClients = (): Clients => ({
  doc: documentClient(),
  s3: new S3Client({}),
  sns: new SNSClient({}),
  sqs: new SQSClient({}),
  ses: new SESv2Client({}),
});

let cached: Deps | undefined;
/** The handlers' Deps, built once per cold start; a bad setting fails the boot, naming its key. */
export const deps = (): Deps => {
  cached ??= makeDeps(awsClients(), loadConfig());
  return cached;
};

/** Make `deps()` answer `d`: the local server builds its Deps with makeDeps over its own clients before any handler loads. */
export const useDeps = (d: Deps): void => {
  cached = d;
};
