import { Aws, type CfnElement, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { TABLE } from '../lib/table-schema.js';
import type { Access, EnvKey, ItemKind } from './routes.js';

/**
 * `Access` (infra/routes.ts, infra/jobs.ts) → IAM statements. Every action is written out here; no `grant*` helper
 * is used for data access, because the helpers that write (`grantWriteData`, `grantReadWrite`, `grantPut`...) also
 * grant deletes. The ledger is append-only: no function gets `dynamodb:BatchWriteItem` (a batch write can delete),
 * and only the ledger's sequencer (job `ledger-chain`) gets `dynamodb:DeleteItem`, under the lot partitions only: it
 * deletes each accepted-but-unchained (`PEND#`) item in the transaction that writes its chained entry. A deleted
 * chained entry would still fail verify (a missing seq, a head that no longer matches, an anchor that disagrees).
 * Export writers get `s3:PutObject` only.
 *
 * Transactions have no IAM actions of their own: each item of a `TransactWriteItems` is authorised as the
 * `PutItem` / `UpdateItem` / `ConditionCheckItem` it contains, and `TransactGetItems` as `GetItem`.
 */

export const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
/** Conditional puts and updates, never a delete; each only on the partition keys of the item kinds the function owns. */
export const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** The sequencer's deletes of the pending entries it chains (see above). */
export const TABLE_DELETE = ['dynamodb:DeleteItem'];

/**
 * The partition-key prefixes of each item kind (lib/store/keys.ts and the stores; lib/store/table.ts has the layout).
 * A new kind of item, or a new prefix, goes here and in the Access of each function that writes it.
 */
export const KEY_PREFIXES: Record<ItemKind, readonly string[]> = {
  product: ['PRODUCT#*'],
  site: ['SITE#*'],
  // a site's contact details: written by the site writer, read by the recall notifier only (see CONTACT_READS)
  contact: ['CONTACT#*'],
  // META#EXPIRY_ALERT_DAYS: putProduct raises it, the expiry check completes it
  meta: ['META#*'],
  // lot metas, stock heads, pending and chained entries (LOT#), eventId records (EVENT#), serials (SERIAL#)
  ledger: ['LOT#*', 'EVENT#*', 'SERIAL#*'],
  // accepted entries waiting for the sequencer (LOT#.../PEND#...): only the sequencer deletes them, once chained
  pending: ['LOT#*'],
  // warranty claims and replacement links (LOT#.../CLAIM#{serial}#...): written only by the claims route. LeadingKeys
  // sees partition keys only, so IAM cannot tell them from the other items of a lot partition; the route owns
  // `ledger` too (a replacement leaves stock through the ledger write path)
  claim: ['LOT#*'],
  // recalls, their notices (the outbox) and acknowledgements
  recall: ['RECALL#*'],
  alert: ['ALERT#*'],
  export: ['EXPORT#*'],
  // the SSCC counter and the SSCCs issued (LABEL#SSCC_COUNTER, LABEL#SSCC#{sscc}, LABEL#SSCC_REQUEST#{key})
  label: ['LABEL#*'],
};

/** The item reads denied on contact details to every function but the one with `contacts: 'read-and-send'`. */
export const CONTACT_READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];

/** The prefixes a function may write under, in a stable order.
 * @example writablePrefixes(['recall', 'ledger']) // ['EVENT#*', 'LOT#*', 'RECALL#*', 'SERIAL#*']
 */
export const writablePrefixes = (kinds: readonly ItemKind[]) => [...new Set(kinds.flatMap((k) => KEY_PREFIXES[k]))].sort();

/** What DynamoDB asks KMS for, on the caller's behalf, when the table has a customer-managed key. */
export const TABLE_KEY_ACTIONS = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  write: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*'],
} as const;

export type BucketMode = 'read' | 'put';
/**
 * `read` includes `s3:ListBucket` on the bucket itself: without it S3 answers a GET of a missing key with 403
 * instead of 404, and the ingest job's "is there a report for this file already?" check would fail.
 */
export const BUCKET_ACTIONS: Record<BucketMode, { objects: readonly string[]; bucket: readonly string[]; key: readonly string[] }> = {
  read: { objects: ['s3:GetObject'], bucket: ['s3:ListBucket'], key: ['kms:Decrypt'] },
  // Decrypt too: completing a multipart upload reads its encrypted parts back.
  put: { objects: ['s3:PutObject'], bucket: [], key: ['kms:GenerateDataKey*', 'kms:Decrypt'] },
};

export const TOPIC_ACTIONS = { topic: ['sns:Publish'], key: ['kms:GenerateDataKey*', 'kms:Decrypt'] } as const;
export const QUEUE_ACTIONS = ['sqs:SendMessage'] as const;

export type { EnvKey } from './routes.js';

/** The stack's resources an `Access` can name. */
export type AccessTargets = {
  table: { table: ITableV2; key: IKey };
  exportBucket: { bucket: IBucket; key: IKey };
  ingestBucket: { bucket: IBucket; key: IKey };
  recallTopic: { topic: ITopic; key: IKey };
  alertsTopic: { topic: ITopic; key: IKey };
  /** not in the stack: no route or job sends to it yet */
  exportQueue?: IQueue;
  /** deploy-time settings that are not resources: the GS1 company prefix SSCCs are numbered under */
  gs1CompanyPrefix?: string;
  /** the recall notifier's queue, when a notify-queue job is defined */
  notifyQueue?: IQueue;
  /** the notifier's settings from context (CONSOLE_URL, RECALLING_FIRM_*, SES_CONFIGURATION_SET) */
  settings?: Partial<Record<EnvKey, string>>;
  /** the SES identity and configuration set the notifier sends through */
  ses?: { identityArn: string; configurationSetArn: string };
};

/** A cdk-nag `AwsSolutions-IAM5[...]` finding that a statement raises on purpose, with the reason. */
export type WildcardFinding = { id: string; reason: string };
export type AccessPolicy = { statements: PolicyStatement[]; findings: WildcardFinding[] };

/** The key may only be used through this service, never called directly with the function's credentials. */
const via = (service: 'dynamodb' | 's3' | 'sns') => ({ StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } });

const GENERATE_DATA_KEY: WildcardFinding = {
  id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
  reason: 'GenerateDataKey* on one customer-managed key, only via the service that encrypts with it (kms:ViaService).',
};

/** The token-free `<LogicalId.Arn>` form cdk-nag prints for a resource's ARN. */
const arnRef = (resource: { node: { defaultChild?: unknown } }) => {
  const cfn = resource.node.defaultChild as CfnElement;
  return `<${Stack.of(cfn).getLogicalId(cfn)}.Arn>`;
};

function bucketPolicy(name: string, target: AccessTargets['ingestBucket'], modes: readonly BucketMode[]): AccessPolicy {
  const objects = [...new Set(modes.flatMap((m) => BUCKET_ACTIONS[m].objects))];
  const bucket = [...new Set(modes.flatMap((m) => BUCKET_ACTIONS[m].bucket))];
  const key = [...new Set(modes.flatMap((m) => BUCKET_ACTIONS[m].key))];
  const statements = [
    new PolicyStatement({ actions: objects, resources: [target.bucket.arnForObjects('*')] }),
    new PolicyStatement({ actions: key, resources: [target.key.keyArn], conditions: via('s3') }),
  ];
  if (bucket.length) statements.push(new PolicyStatement({ actions: bucket, resources: [target.bucket.bucketArn] }));
  const findings = [
    {
      id: `AwsSolutions-IAM5[Resource::${arnRef(target.bucket)}/*]`,
      reason: `Object actions (${objects.join(', ')}) on the keys of the ${name} only.`,
    },
  ];
  if (key.includes('kms:GenerateDataKey*')) findings.push(GENERATE_DATA_KEY);
  return { statements, findings };
}

function topicPolicy(target: AccessTargets['recallTopic']): AccessPolicy {
  return {
    statements: [
      new PolicyStatement({ actions: [...TOPIC_ACTIONS.topic], resources: [target.topic.topicArn] }),
      new PolicyStatement({ actions: [...TOPIC_ACTIONS.key], resources: [target.key.keyArn], conditions: via('sns') }),
    ],
    findings: [GENERATE_DATA_KEY],
  };
}

/**
 * The statements one route or job gets for its `Access`, and the IAM5 findings they raise on purpose.
 * @example accessPolicy({ table: 'read' }, targets).statements // GetItem, BatchGetItem, Query... on the table and its GSIs
 */
export function accessPolicy(access: Access, t: AccessTargets): AccessPolicy {
  const out: AccessPolicy = { statements: [], findings: [] };
  const add = (p: AccessPolicy) => {
    out.statements.push(...p.statements);
    out.findings.push(...p.findings);
  };
  if (access.table) {
    const { table, key } = t.table;
    // Each index by name, not `index/*`: an index added later is not readable until TABLE names it.
    const indexes = TABLE.indexes.map((i) => `${table.tableArn}/index/${i.name}`);
    const writes = access.table === 'read' ? [] : access.table.write;
    const keyActions = writes.length ? TABLE_KEY_ACTIONS.write : TABLE_KEY_ACTIONS.read;
    const statements = [
      new PolicyStatement({ actions: [...TABLE_READ], resources: [table.tableArn, ...indexes] }),
      new PolicyStatement({ actions: [...keyActions], resources: [key.keyArn], conditions: via('dynamodb') }),
    ];
    // ForAllValues: every partition key the request touches must match one of the prefixes (a transaction's items too).
    if (writes.length)
      statements.push(
        new PolicyStatement({
          actions: [...TABLE_WRITE],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': writablePrefixes(writes) } },
        }),
      );
    const deletes = access.table === 'read' ? [] : (access.table.delete ?? []);
    if (deletes.length)
      statements.push(
        new PolicyStatement({
          actions: [...TABLE_DELETE],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': writablePrefixes(deletes) } },
        }),
      );
    if (access.contacts !== 'read-and-send') {
      // Contact details are items of their own (CONTACT#): no read of them, and no write that returns the old item.
      const contact = { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [...KEY_PREFIXES.contact] } };
      statements.push(new PolicyStatement({ effect: Effect.DENY, actions: [...CONTACT_READS], resources: [table.tableArn], conditions: contact }));
      if (writes.includes('contact'))
        statements.push(
          new PolicyStatement({
            effect: Effect.DENY,
            actions: [...TABLE_WRITE],
            resources: [table.tableArn],
            conditions: { ...contact, StringNotEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' } },
          }),
        );
    }
    add({ statements, findings: writes.length ? [GENERATE_DATA_KEY] : [] });
  }
  if (access.exportBucket?.length) add(bucketPolicy('export bucket', t.exportBucket, access.exportBucket));
  if (access.ingestBucket?.length) add(bucketPolicy('ingest bucket', t.ingestBucket, access.ingestBucket));
  if (access.recallTopic === 'publish') add(topicPolicy(t.recallTopic));
  if (access.alertsTopic === 'publish') add(topicPolicy(t.alertsTopic));
  if (access.exportQueue === 'send') {
    if (!t.exportQueue)
      throw new Error('Access.exportQueue: the stack has no export queue yet; add it (and its consumer) to infra/lotledger-stack.ts');
    add({ statements: [new PolicyStatement({ actions: [...QUEUE_ACTIONS], resources: [t.exportQueue.queueArn] })], findings: [] });
  }
  if (access.notifyQueue === 'send') {
    if (!t.notifyQueue) throw new Error('Access.notifyQueue: the stack has no notifier queue; add a notify-queue job');
    add({ statements: [new PolicyStatement({ actions: [...QUEUE_ACTIONS], resources: [t.notifyQueue.queueArn] })], findings: [] });
  }
  if (access.contacts === 'read-and-send') {
    if (!t.ses) throw new Error('Access.contacts: the stack has no SES identity');
    add({
      statements: [
        new PolicyStatement({ actions: ['ses:SendEmail'], resources: [t.ses.identityArn, t.ses.configurationSetArn] }),
        // SMS: SNS Publish to a phone number has no topic ARN; `*` is the only resource it takes, and a deny keeps it off topics.
        new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'], conditions: { Null: { 'sns:Protocol': 'true' } } }),
      ],
      findings: [
        { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'SNS SMS (Publish to a PhoneNumber) has no resource ARN: only the recall notifier has it.' },
      ],
    });
  }
  const unique = new Map(out.findings.map((f) => [f.id, f]));
  return { statements: out.statements, findings: [...unique.values()] };
}

/** The value of each environment key a route or job may declare. */
export function environmentValue(key: EnvKey, t: AccessTargets): string {
  switch (key) {
    case 'EXPORT_BUCKET':
      return t.exportBucket.bucket.bucketName;
    case 'INGEST_BUCKET':
      return t.ingestBucket.bucket.bucketName;
    case 'RECALL_TOPIC_ARN':
      return t.recallTopic.topic.topicArn;
    case 'ALERTS_TOPIC_ARN':
      return t.alertsTopic.topic.topicArn;
    case 'EXPORT_QUEUE_URL':
      if (!t.exportQueue) throw new Error('EXPORT_QUEUE_URL: the stack has no export queue yet; add it to infra/lotledger-stack.ts');
      return t.exportQueue.queueUrl;
    case 'GS1_COMPANY_PREFIX':
      if (t.gs1CompanyPrefix === undefined) throw new Error('GS1_COMPANY_PREFIX: the stack has no GS1 company prefix parameter');
      return t.gs1CompanyPrefix;
    case 'NOTIFY_QUEUE_URL':
      if (!t.notifyQueue) throw new Error('NOTIFY_QUEUE_URL: the stack has no notifier queue; add a notify-queue job');
      return t.notifyQueue.queueUrl;
    case 'CONSOLE_URL':
    case 'RECALLING_FIRM_NAME':
    case 'RECALLING_FIRM_PHONE':
    case 'RECALLING_FIRM_EMAIL':
    case 'SES_CONFIGURATION_SET': {
      const v = t.settings?.[key];
      if (v === undefined) throw new Error(`${key}: no value in the stack's settings (context lotledger:notifier)`);
      return v;
    }
  }
}
