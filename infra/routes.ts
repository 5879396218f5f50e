/**
 * The HTTP API's routes, one handler file each under functions/. The CDK stack and the local server both read this
 * list, so a route exists in the cloud exactly when it exists locally.
 *
 * `access` is the least privilege the handler needs; infra/lotledger-stack.ts turns it into IAM actions.
 */
export type Access = {
  /**
   * `read`, or read and write only the item kinds named (IAM `dynamodb:LeadingKeys` on their key prefixes); `delete`
   * only for the ledger's sequencer, which deletes the pending entries it chains
   */
  table?: 'read' | { write: readonly ItemKind[]; delete?: readonly ItemKind[] };
  /** 'put' is PutObject only: export writers never get a grant that includes deletes */
  exportBucket?: readonly ('read' | 'put')[];
  ingestBucket?: readonly ('read' | 'put')[];
  recallTopic?: 'publish';
  alertsTopic?: 'publish';
  exportQueue?: 'send';
  /** the recall notifier's queue of recipient shards */
  notifyQueue?: 'send';
  /**
   * reading recipients' contact details (`CONTACT#` items; every other function with table access is denied them),
   * and sending email (SES) and SMS: the notifier only
   */
  contacts?: 'read-and-send';
};

/**
 * The kinds of item a function may write. `ledger` (lot heads and entries, event records, serials) is written only by
 * the ledger writers: movements, scans, batch files, lot hold and release, recalls (they quarantine lots), the
 * daily expiry check (it retries a QA hold) and the chain sequencer.
 */
export type ItemKind = 'product' | 'site' | 'contact' | 'meta' | 'ledger' | 'pending' | 'claim' | 'recall' | 'alert' | 'export' | 'label';

/** Environment keys a function may read beyond TABLE_NAME; the stack sets each to the resource it names. */
export type EnvKey =
  | 'EXPORT_BUCKET'
  | 'INGEST_BUCKET'
  | 'RECALL_TOPIC_ARN'
  | 'ALERTS_TOPIC_ARN'
  | 'EXPORT_QUEUE_URL'
  | 'NOTIFY_QUEUE_URL'
  | 'CONSOLE_URL'
  | 'RECALLING_FIRM_NAME'
  | 'RECALLING_FIRM_PHONE'
  | 'RECALLING_FIRM_EMAIL'
  | 'SES_CONFIGURATION_SET'
  | 'GS1_COMPANY_PREFIX';

export type Route = {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** API Gateway path syntax: `/products/{gtin}` */
  path: string;
  /** file name under functions/, without extension */
  handler: string;
  access: Access;
  /** env keys the handler reads beyond TABLE_NAME */
  env?: readonly EnvKey[];
  /** `none`: a public route, no IAM auth (the contract's exceptions); it must then have its own, tighter throttle */
  auth?: 'none';
  /** requests per second and burst of this route alone (API Gateway route settings), below the stage's default */
  throttle?: { rateLimit: number; burstLimit: number };
  /**
   * In the cloud, served by the Lambda function of the route with this handler (its module dispatches on the route key),
   * with the same access: a route of its own costs seven of CloudFormation's 500 resources a stack, a shared one three.
   * Locally, and in the OpenAPI document, the route is still its own handler.
   */
  sharesFunctionOf?: string;
};

/** The throttle of the public GS1 Digital Link resolver: a phone scanning a QR code needs one request, not hundreds. */
const RESOLVER_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;
/** The acknowledgement links: opened by people, a few per notice; a token is unguessable, so this only bounds the cost of guessing. */
const ACK_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/health', handler: 'health', access: { table: 'read' }, env: ['EXPORT_BUCKET'] },
  { method: 'GET', path: '/openapi.json', handler: 'get-openapi', access: {} },
  { method: 'PUT', path: '/products/{gtin}', handler: 'put-product', access: { table: { write: ['product', 'meta'] } } },
  { method: 'GET', path: '/products/{gtin}', handler: 'get-product', access: { table: 'read' } },
  // The site writer writes contact details (CONTACT#) but, like every function but the notifier, may not read them.
  { method: 'PUT', path: '/sites/{siteId}', handler: 'put-site', access: { table: { write: ['site', 'contact'] } } },
  { method: 'GET', path: '/sites/{siteId}', handler: 'get-site', access: { table: 'read' } },
  // Movements may put a lot on QA hold and send a `qa.defect-rate` alert (the defect-rate check after a defect return).
  {
    method: 'POST',
    path: '/movements',
    handler: 'post-movements',
    access: { table: { write: ['ledger', 'alert'] }, alertsTopic: 'publish' },
    env: ['ALERTS_TOPIC_ARN'],
  },
  {
    method: 'POST',
    path: '/scans',
    handler: 'post-scans',
    access: { table: { write: ['ledger', 'alert'] }, alertsTopic: 'publish' },
    env: ['ALERTS_TOPIC_ARN'],
  },
  { method: 'GET', path: '/lots/{gtin}/{lot}', handler: 'get-lot', access: { table: 'read' } },
  { method: 'GET', path: '/lots/{gtin}/{lot}/movements', handler: 'get-lot-movements', access: { table: 'read' } },
  { method: 'POST', path: '/lots/{gtin}/{lot}/hold', handler: 'post-lot-hold', access: { table: { write: ['ledger'] } } },
  { method: 'POST', path: '/lots/{gtin}/{lot}/release', handler: 'post-lot-release', access: { table: { write: ['ledger'] } } },
  { method: 'GET', path: '/serials/{gtin}/{serial}', handler: 'get-serial', access: { table: 'read' } },
  // A claim may hand a replacement out (a `sell` through the ledger write path) and put the unit's lot on QA hold.
  {
    method: 'POST',
    path: '/serials/{gtin}/{serial}/warranty-claims',
    handler: 'post-serial-warranty-claims',
    access: { table: { write: ['ledger', 'claim', 'alert'] }, alertsTopic: 'publish' },
    env: ['ALERTS_TOPIC_ARN'],
  },
  { method: 'GET', path: '/serials/{gtin}/{serial}/compatibility', handler: 'get-serial-compatibility', access: { table: 'read' } },
  { method: 'GET', path: '/lots/{gtin}/{lot}/trace', handler: 'get-lot-trace', access: { table: 'read' } },
  // Answers once the recall is recorded; the notifier (infra/jobs.ts) writes and sends the notices from its queue.
  {
    method: 'POST',
    path: '/recalls',
    handler: 'post-recalls',
    access: { table: { write: ['recall', 'ledger'] }, notifyQueue: 'send' },
    env: ['NOTIFY_QUEUE_URL'],
  },
  { method: 'GET', path: '/recalls/{recallId}', handler: 'get-recall', access: { table: 'read' } },
  // Extension: the recalls started, newest first (a console user finds one without having kept its id).
  { method: 'GET', path: '/recalls', handler: 'get-recalls', access: { table: 'read' }, sharesFunctionOf: 'get-recall' },
  { method: 'POST', path: '/recalls/{recallId}/acknowledgements', handler: 'post-recall-acknowledgements', access: { table: { write: ['recall'] } } },
  { method: 'GET', path: '/recalls/{recallId}/report', handler: 'get-recall-report', access: { table: 'read' } },
  {
    method: 'POST',
    path: '/recalls/{recallId}/effectiveness-checks',
    handler: 'post-recall-effectiveness-checks',
    access: { table: { write: ['recall'] } },
  },
  { method: 'POST', path: '/recalls/{recallId}/close', handler: 'post-recall-close', access: { table: { write: ['recall'] } } },
  // The acknowledgement links: the only routes without IAM auth (a clerk or a customer has no account).
  { method: 'GET', path: '/ack/{token}', handler: 'get-ack', access: { table: 'read' }, auth: 'none', throttle: ACK_THROTTLE },
  { method: 'POST', path: '/ack/{token}', handler: 'post-ack', access: { table: { write: ['recall'] } }, auth: 'none', throttle: ACK_THROTTLE },
  // Reads the latest ledger checkpoint from the export bucket too (a consistent rewrite of the table disagrees with it).
  { method: 'GET', path: '/ledger/verify', handler: 'get-ledger-verify', access: { table: 'read', exportBucket: ['read'] }, env: ['EXPORT_BUCKET'] },
  // Extension: write a ledger checkpoint now (the daily-ledger-checkpoint job does it every night).
  {
    method: 'POST',
    path: '/ledger/checkpoints',
    handler: 'post-ledger-checkpoints',
    access: { table: 'read', exportBucket: ['put', 'read'] },
    env: ['EXPORT_BUCKET'],
  },
  // Exports: the API records the job and queues it; the export-worker job writes the file (docs/exports.md).
  {
    method: 'POST',
    path: '/exports',
    handler: 'post-exports',
    access: { table: { write: ['export'] }, exportQueue: 'send' },
    env: ['EXPORT_BUCKET', 'EXPORT_QUEUE_URL'],
  },
  // `read` (GetObject): the presigned URL is signed with this function's credentials, and the manifest is read.
  { method: 'GET', path: '/exports/{exportId}', handler: 'get-export', access: { table: 'read', exportBucket: ['read'] }, env: ['EXPORT_BUCKET'] },
  // Extension: the exports started, newest first; GET /exports/{id} has the download link.
  {
    method: 'GET',
    path: '/exports',
    handler: 'get-exports',
    access: { table: 'read', exportBucket: ['read'] },
    env: ['EXPORT_BUCKET'],
    sharesFunctionOf: 'get-export',
  },
  {
    method: 'POST',
    path: '/expiry-checks',
    handler: 'post-expiry-checks',
    access: { table: { write: ['alert', 'meta'] }, alertsTopic: 'publish' },
    env: ['ALERTS_TOPIC_ARN'],
  },
  { method: 'GET', path: '/sites/{siteId}/pick', handler: 'get-site-pick', access: { table: 'read' } },
  { method: 'GET', path: '/sites/{siteId}/putaway', handler: 'get-site-putaway', access: { table: 'read' } },
  { method: 'GET', path: '/reports/lots', handler: 'get-reports-lots', access: { table: 'read' } },
  // Labels (docs: README "Labels"): rendered on request; SSCCs are numbered from one counter item under LABEL#.
  { method: 'GET', path: '/labels/lots/{gtin}/{lot}', handler: 'get-label-lot', access: { table: 'read' } },
  { method: 'GET', path: '/labels/serials/{gtin}/{serial}', handler: 'get-label-serial', access: { table: 'read' } },
  { method: 'POST', path: '/labels/sscc', handler: 'post-label-sscc', access: { table: { write: ['label'] } }, env: ['GS1_COMPANY_PREFIX'] },
  { method: 'GET', path: '/labels/sscc/{sscc}', handler: 'get-label-sscc', access: { table: 'read' } },
  // The GS1 Digital Link resolver: public (no auth), throttled, read only; it shows public facts of a lot only.
  {
    method: 'GET',
    path: '/01/{gtin}/10/{lot}',
    handler: 'get-digital-link-lot',
    access: { table: 'read' },
    auth: 'none',
    throttle: RESOLVER_THROTTLE,
  },
  {
    method: 'GET',
    path: '/01/{gtin}/21/{serial}',
    handler: 'get-digital-link-serial',
    access: { table: 'read' },
    auth: 'none',
    throttle: RESOLVER_THROTTLE,
  },
  // FSMA 204 KDE gaps (issue 14): the rows of FTL movements that lack a required KDE
  { method: 'GET', path: '/compliance/kde-gaps', handler: 'get-compliance-kde-gaps', access: { table: 'read' } },
  // FDA requests (issue 14): the 24-hour workflow; packages are built by the export-worker job into the Object-Lock bucket.
  {
    method: 'POST',
    path: '/fda-requests',
    handler: 'post-fda-requests',
    access: { table: { write: ['export'] }, exportQueue: 'send' },
    env: ['EXPORT_BUCKET', 'EXPORT_QUEUE_URL'],
  },
  { method: 'GET', path: '/fda-requests', handler: 'get-fda-requests', access: { table: 'read' } },
  {
    method: 'GET',
    path: '/fda-requests/{requestId}',
    handler: 'get-fda-request',
    access: { table: 'read', exportBucket: ['read'] },
    env: ['EXPORT_BUCKET'],
  },
  {
    method: 'POST',
    path: '/fda-requests/{requestId}/sign-off',
    handler: 'post-fda-request-sign-off',
    access: { table: { write: ['export'] }, exportQueue: 'send' },
    env: ['EXPORT_QUEUE_URL'],
  },
  { method: 'POST', path: '/fda-requests/{requestId}/sent', handler: 'post-fda-request-sent', access: { table: { write: ['export'] } } },
];

/** Match a concrete path against a route template; returns the decoded-later raw path parameters. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/').filter(Boolean);
  const p = path.split('/').filter(Boolean);
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i] as string;
    const val = p[i] as string;
    if (seg.startsWith('{') && seg.endsWith('}')) params[seg.slice(1, -1)] = val;
    else if (seg !== val) return undefined;
  }
  return params;
}
