import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { anchorWindowSeconds, JOBS, type Job } from '../../infra/jobs.js';
import { EXPORT_RETENTION_CONTEXT } from '../../infra/lotledger-stack.js';
import { type Access, ROUTES } from '../../infra/routes.js';
import { TABLE } from '../../lib/table-schema.js';
import { lotledgerApp } from './lotledger-app.js';

// One synth for the whole file (no bundling: see lotledger-app.ts).
const { stack } = lotledgerApp();
const template = Template.fromStack(stack);

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown; Principal?: unknown };
type PolicyDocument = { Statement: Statement[] };

const RESOURCES = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(RESOURCES).filter(([, r]) => r.Type === type);
const props = (id: string): Json => RESOURCES[id]?.Properties ?? {};
const must = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`missing ${what}`);
  return v;
};
const logicalId = (c: IConstruct) => stack.getLogicalId(must(c.node.defaultChild as CfnElement | undefined, `${c.node.path} resource`));
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** The logical ids a CloudFormation value refers to (`Ref`, `Fn::GetAtt`), pseudo parameters left out. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value === null || typeof value !== 'object') return [];
  const o = value as Json;
  if (typeof o.Ref === 'string') return o.Ref.startsWith('AWS::') ? [] : [o.Ref];
  const getAtt = o['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(o).flatMap(refs);
}
const ref = (value: unknown) => must(refs(value)[0], `reference in ${JSON.stringify(value)}`);

const tableId = logicalId(stack.table);
const alertsTopicId = logicalId(stack.alertsTopic);
const fnId = (name: string) => logicalId(must(stack.functions.get(name), `function ${name}`));
const roleOf = (functionId: string) => ref(props(functionId).Role);
/** Every statement of every IAM policy attached to a role (and its inline policies). */
function statementsOf(roleId: string): Statement[] {
  const attached = ofType('AWS::IAM::Policy')
    .filter(([, p]) => refs(p.Properties?.Roles).includes(roleId))
    .flatMap(([, p]) => (p.Properties?.PolicyDocument as PolicyDocument).Statement);
  const inline = list(props(roleId).Policies as { PolicyDocument: PolicyDocument }[] | undefined).flatMap((p) => p.PolicyDocument.Statement);
  return [...attached, ...inline];
}
const allowedActions = (statements: Statement[]) => new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action)));

describe('the table', () => {
  const [id, table] = must(ofType('AWS::DynamoDB::GlobalTable')[0], 'the table');
  const replica = must((table.Properties?.Replicas as Json[] | undefined)?.[0], 'the replica');

  it('is the only table, and is retained', () => {
    expect(ofType('AWS::DynamoDB::GlobalTable').length + ofType('AWS::DynamoDB::Table').length).toBe(1);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  // cdk-nag's DynamoDBPITREnabled only looks at AWS::DynamoDB::Table, so TableV2 (a GlobalTable) is pinned here.
  it('has point-in-time recovery and deletion protection on its one replica', () => {
    expect(table.Properties?.Replicas).toHaveLength(1);
    expect(replica).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
  });

  it('bills on demand, streams new and old images and expires items by ttl', () => {
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('is encrypted with its own rotating customer-managed key', () => {
    expect(table.Properties?.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    const keyId = ref((replica.SSESpecification as Json | undefined)?.KMSMasterKeyId);
    expect(RESOURCES[keyId]).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } });
  });

  it('has the keys and indexes of lib/table-schema.ts', () => {
    const key = (pk: string, sk: string) => [
      { AttributeName: pk, KeyType: 'HASH' },
      { AttributeName: sk, KeyType: 'RANGE' },
    ];
    expect(props(id).KeySchema).toEqual(key(TABLE.partitionKey, TABLE.sortKey));
    expect(props(id).GlobalSecondaryIndexes).toEqual(
      TABLE.indexes.map((i) => ({ IndexName: i.name, KeySchema: key(i.partitionKey, i.sortKey), Projection: { ProjectionType: 'ALL' } })),
    );
    const names = [TABLE.partitionKey, TABLE.sortKey, ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
    expect(props(id).AttributeDefinitions).toEqual(names.map((n) => ({ AttributeName: n, AttributeType: 'S' })));
  });
});

describe('buckets', () => {
  const exportId = logicalId(stack.exportBucket);
  const ingestId = logicalId(stack.ingestBucket);
  const buckets = ofType('AWS::S3::Bucket');
  const logsId = ref((props(exportId).LoggingConfiguration as Json | undefined)?.DestinationBucketName);

  it('locks exports in COMPLIANCE mode for 730 days by default', () => {
    expect(props(exportId)).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 730 } } },
    });
  });

  it('takes another retention from -c lotledger:exportRetentionDays (a string, as the CLI passes it)', () => {
    // Prepare
    const other = lotledgerApp({ [EXPORT_RETENTION_CONTEXT]: '3650' }, { routes: [], jobs: [] });
    // Act
    const t = Template.fromStack(other.stack);
    // Assess
    t.hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 3650 } } } });
  });

  it('refuses a retention that is not a whole number of days', () => {
    for (const bad of ['0', 'two years', '1.5'])
      expect(() => lotledgerApp({ [EXPORT_RETENTION_CONTEXT]: bad }, { routes: [], jobs: [] })).toThrow(/exportRetentionDays/);
  });

  it('versions, KMS-encrypts (bucket key) and access-logs the export and ingest buckets, and retains them', () => {
    for (const id of [exportId, ingestId]) {
      expect(props(id)).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
        },
      });
      const sse = (props(id).BucketEncryption as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: Json }[] })
        .ServerSideEncryptionConfiguration[0];
      const keyId = ref(sse?.ServerSideEncryptionByDefault.KMSMasterKeyID);
      expect(RESOURCES[keyId]).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } });
      expect(ref((props(id).LoggingConfiguration as Json).DestinationBucketName)).toBe(logsId);
      expect(RESOURCES[id]?.DeletionPolicy).toBe('Retain');
    }
  });

  it('keeps access logs in a separate S3-encrypted bucket', () => {
    // (the console's own two buckets are test/infra/console.test.ts's)
    expect(
      buckets
        .map(([id]) => id)
        .filter((id) => !id.startsWith('Console'))
        .sort(),
    ).toEqual([exportId, ingestId, logsId].sort());
    expect(props(logsId).BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('blocks public access and denies non-TLS requests on every bucket', () => {
    for (const [id] of buckets) {
      expect(props(id).PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const policy = must(
        ofType('AWS::S3::BucketPolicy').find(([, p]) => ref(p.Properties?.Bucket) === id),
        `bucket policy of ${id}`,
      )[1];
      expect((policy.Properties?.PolicyDocument as PolicyDocument).Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('topics', () => {
  const topics = ofType('AWS::SNS::Topic');

  it('are three standard topics (recalls, alerts, SES events), each KMS-encrypted with a rotating key and TLS-only', () => {
    expect(topics.map(([id]) => id).sort()).toEqual([logicalId(stack.recallTopic), alertsTopicId, logicalId(stack.emailEvents)].sort());
    for (const [id, topic] of topics) {
      expect(topic.Properties?.FifoTopic).toBeUndefined();
      expect(RESOURCES[ref(topic.Properties?.KmsMasterKeyId)]).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } });
      const policy = must(
        ofType('AWS::SNS::TopicPolicy').find(([, p]) => refs(p.Properties?.Topics).includes(id)),
        `topic policy of ${id}`,
      )[1];
      expect((policy.Properties?.PolicyDocument as PolicyDocument).Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('exports their ARNs and the API URL', () => {
    template.hasOutput('RecallTopicArn', { Value: { Ref: logicalId(stack.recallTopic) } });
    template.hasOutput('AlertsTopicArn', { Value: { Ref: alertsTopicId } });
    template.hasOutput('ApiUrl', {});
  });

  it('lets CloudWatch alarms publish to the alerts topic and use its key', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: alertsTopicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    const keyId = ref(props(alertsTopicId).KmsMasterKeyId);
    expect((props(keyId).KeyPolicy as PolicyDocument).Statement).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
    );
  });

  it('every KMS key rotates and is retained', () => {
    for (const [, key] of ofType('AWS::KMS::Key')) {
      expect(key.Properties?.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
    }
  });
});

type Owner = { name: string; handler: string; access: Access; env: readonly string[]; kind: Job['kind'] | 'route' };
const OWNERS: Owner[] = [
  ...ROUTES.filter((r) => !r.sharesFunctionOf).map((r) => ({
    name: r.handler,
    handler: r.handler,
    access: r.access,
    env: r.env ?? [],
    kind: 'route' as const,
  })),
  ...JOBS.map((j) => ({ name: j.name, handler: j.handler, access: j.access, env: j.env ?? [], kind: j.kind })),
];
const ENV_KEYS = [
  'TABLE_NAME',
  'EXPORT_BUCKET',
  'INGEST_BUCKET',
  'RECALL_TOPIC_ARN',
  'ALERTS_TOPIC_ARN',
  'EXPORT_QUEUE_URL',
  'NOTIFY_QUEUE_URL',
  'CONSOLE_URL',
  'RECALLING_FIRM_NAME',
  'RECALLING_FIRM_PHONE',
  'RECALLING_FIRM_EMAIL',
  'SES_CONFIGURATION_SET',
  'GS1_COMPANY_PREFIX',
];

describe('functions', () => {
  it('are one per route and per job, plus only CDK’s bucket-notifications handler', () => {
    const ours = OWNERS.map((o) => fnId(o.name));
    expect(new Set(ours).size).toBe(OWNERS.length);
    const others = ofType('AWS::Lambda::Function').filter(([id]) => !ours.includes(id));
    // ...and the deploy-time custom resource that sets the account's SMS spend limit.
    expect(others.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^AWS679f53fac002430cb0da5b7982bd2287/),
      expect.stringMatching(/^BucketNotificationsHandler/),
    ]);
  });

  it.each(OWNERS)('$name runs Node.js 24 on arm64 with tracing, its own log group and only the environment it declares', (o) => {
    const p = props(fnId(o.name));
    expect(p).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, Handler: 'index.handler' });
    const env = (p.Environment as { Variables: Json }).Variables;
    // The export worker streams in a bounded heap (infra/jobs.ts maxHeapMb); every function maps stack traces to sources.
    const job = JOBS.find((j) => j.name === o.name);
    const nodeOptions = job?.kind === 'export-queue' ? `--enable-source-maps --max-old-space-size=${job.maxHeapMb}` : '--enable-source-maps';
    expect(env).toMatchObject({ TABLE_NAME: { Ref: tableId }, POWERTOOLS_SERVICE_NAME: 'lotledger', NODE_OPTIONS: nodeOptions });
    expect(
      Object.keys(env)
        .filter((k) => ENV_KEYS.includes(k))
        .sort(),
    ).toEqual(['TABLE_NAME', ...o.env].sort());
    const logs = ref((p.LoggingConfig as Json | undefined)?.LogGroup);
    expect(RESOURCES[logs]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 365 } });
  });
});

// ---- least privilege: an allowlist per Access, written out here independently of infra/access.ts
const ALWAYS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const TABLE_WRITE = [...TABLE_READ, 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const BUCKET = { read: ['s3:GetObject', 's3:ListBucket', 'kms:Decrypt'], put: ['s3:PutObject', 'kms:GenerateDataKey*', 'kms:Decrypt'] };
const PUBLISH = ['sns:Publish', 'kms:GenerateDataKey*', 'kms:Decrypt'];
const ALLOW: { [K in keyof Access]-?: Record<string, readonly string[]> } = {
  table: {
    read: [...TABLE_READ, 'kms:Decrypt', 'kms:DescribeKey'],
    write: [...TABLE_WRITE, 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*'],
    delete: [...TABLE_WRITE, 'dynamodb:DeleteItem', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*'],
  },
  exportBucket: BUCKET,
  ingestBucket: BUCKET,
  recallTopic: { publish: PUBLISH },
  alertsTopic: { publish: PUBLISH },
  exportQueue: { send: ['sqs:SendMessage'] },
  notifyQueue: { send: ['sqs:SendMessage'] },
  // Only the recall notifier: SES SendEmail on the firm's identity and configuration set, SNS Publish for SMS.
  contacts: { 'read-and-send': ['ses:SendEmail', 'sns:Publish'] },
};
/** What each trigger adds: a DLQ to send failures to, the stream or queue to read. */
const TRIGGER: Record<Owner['kind'], readonly string[]> = {
  route: [],
  schedule: ['sqs:SendMessage'],
  'table-stream': [
    'dynamodb:ListStreams',
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'kms:Decrypt',
    'sqs:SendMessage',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
  ],
  'ingest-queue': ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
  'export-queue': ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
  'notify-queue': ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
};
function allowlist(o: Owner): Set<string> {
  const out = new Set([...ALWAYS, ...TRIGGER[o.kind]]);
  for (const [resource, level] of Object.entries(o.access) as [keyof Access, string | readonly string[] | object][]) {
    const levels = resource === 'table' ? [tableLevel(o)] : list(level as string | string[]);
    for (const l of levels) for (const a of must(ALLOW[resource][l], `allowlist for ${resource}: ${l}`)) out.add(a);
  }
  return out;
}
/** `read`, `write`, or `delete` (the sequencer's: write, and delete the pending entries it chains). */
const tableLevel = (o: Owner) => (o.access.table === 'read' ? 'read' : o.access.table?.delete?.length ? 'delete' : 'write');
/** The one function that may delete: the ledger's sequencer. */
const DELETERS = ['ledger-chain'];
const FORBIDDEN = [/^dynamodb:DeleteItem$/, /^dynamodb:BatchWriteItem$/, /^s3:DeleteObject/, /^s3:PutBucket/, /^\*$/, /^[a-z0-9-]+:\*$/];

describe('IAM', () => {
  it.each(OWNERS)('$name may do only what its Access allows', (o) => {
    const role = roleOf(fnId(o.name));
    expect(props(role).ManagedPolicyArns).toBeUndefined();
    const actions = allowedActions(statementsOf(role));
    expect([...actions].filter((a) => !allowlist(o).has(a))).toEqual([]);
    // ...and gets the table actions of its level, not fewer.
    if (o.access.table) {
      const table = [...actions].filter((a) => a.startsWith('dynamodb:') && !/Stream|GetRecords|GetShardIterator/.test(a));
      const level = tableLevel(o);
      expect(table.sort()).toEqual(
        [...(level === 'read' ? TABLE_READ : level === 'write' ? TABLE_WRITE : [...TABLE_WRITE, 'dynamodb:DeleteItem'])].sort(),
      );
    }
  });

  // Written out per function, independently of infra/access.ts: who may write which partition keys.
  const LEDGER = ['EVENT#*', 'LOT#*', 'SERIAL#*'];
  const WRITES: Record<string, readonly string[]> = {
    'put-product': ['META#*', 'PRODUCT#*'],
    'put-site': ['CONTACT#*', 'SITE#*'],
    'post-movements': ['ALERT#*', ...LEDGER],
    'post-scans': ['ALERT#*', ...LEDGER],
    'batch-file-ingest': ['ALERT#*', ...LEDGER],
    'post-lot-hold': LEDGER,
    // its warranty claims live in the lot partitions (LOT#), and a replacement leaves stock through the ledger
    'post-serial-warranty-claims': ['ALERT#*', ...LEDGER],
    'post-lot-release': LEDGER,
    'post-recalls': [...LEDGER, 'RECALL#*'],
    'post-recall-acknowledgements': ['RECALL#*'],
    'post-recall-effectiveness-checks': ['RECALL#*'],
    'post-recall-close': ['RECALL#*'],
    'post-ack': ['RECALL#*'],
    'recall-notifier': ['RECALL#*'],
    'recall-notice-publisher': ['RECALL#*'],
    'recall-notice-sweeper': ['RECALL#*'],
    'recall-follow-ups': ['RECALL#*'],
    'post-exports': ['EXPORT#*'],
    'export-worker': ['EXPORT#*'],
    // FDA requests are export items (EXPORT#FDA#{id})
    'post-fda-requests': ['EXPORT#*'],
    'post-fda-request-sign-off': ['EXPORT#*'],
    'post-fda-request-sent': ['EXPORT#*'],
    'post-expiry-checks': ['ALERT#*', 'META#*'],
    'daily-expiry-check': ['ALERT#*', 'EVENT#*', 'LOT#*', 'META#*', 'SERIAL#*'],
    'post-label-sscc': ['LABEL#*'],
    'ledger-chain': LEDGER,
  };
  const writeStatements = (name: string) =>
    statementsOf(roleOf(fnId(name))).filter((st) => st.Effect === 'Allow' && list(st.Action).some((a) => /dynamodb:(PutItem|UpdateItem)/.test(a)));

  it.each(OWNERS)('$name writes the table only under the partition keys of the items it owns', (o) => {
    const statements = writeStatements(o.name);
    const expected = WRITES[o.name] ?? [];
    if (expected.length === 0) {
      expect(statements).toEqual([]);
      return;
    }
    expect(statements).toHaveLength(1);
    const st = must(statements[0], 'write statement');
    expect(refs(st.Resource)).toEqual([tableId]); // the table itself: writes never name an index
    expect(st.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...expected].sort() } });
  });

  it('lets only the ledger writers write lot heads, entries, events and serials', () => {
    const ledgerWriters = OWNERS.filter((o) =>
      writeStatements(o.name).some((st) => JSON.stringify(st.Condition ?? {}).match(/"(LOT|EVENT|SERIAL)#\*"/)),
    ).map((o) => o.name);
    expect(ledgerWriters.sort()).toEqual(
      [
        'post-movements',
        'post-scans',
        'batch-file-ingest',
        'post-lot-hold',
        'post-lot-release',
        'post-recalls',
        'post-serial-warranty-claims',
        'ledger-chain',
        'daily-expiry-check',
      ].sort(),
    );
  });

  it('lets only the sequencer delete, and only under the lot partitions (the pending entries it chains)', () => {
    const deleters = OWNERS.filter((o) => allowedActions(statementsOf(roleOf(fnId(o.name)))).has('dynamodb:DeleteItem')).map((o) => o.name);
    expect(deleters).toEqual(DELETERS);
    for (const name of DELETERS) {
      const st = statementsOf(roleOf(fnId(name))).filter((x) => x.Effect === 'Allow' && list(x.Action).includes('dynamodb:DeleteItem'));
      expect(st).toHaveLength(1);
      expect(list(must(st[0], 'delete statement').Action)).toEqual(['dynamodb:DeleteItem']);
      expect(refs(must(st[0], 'delete statement').Resource)).toEqual([tableId]);
      expect(must(st[0], 'delete statement').Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LOT#*'] } });
    }
  });

  it.each(OWNERS)('$name reaches only the table, buckets, topics and keys its Access names', (o) => {
    const keyOf = (id: string) => ref(props(id).KmsMasterKeyId ?? props(id).KMSMasterKeyId);
    const bucketKey = (id: string) =>
      ref(
        (props(id).BucketEncryption as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: Json }[] })
          .ServerSideEncryptionConfiguration,
      );
    const tableKey = ref((props(tableId).Replicas as Json[])[0]?.SSESpecification);
    const buckets = [
      ...(o.access.exportBucket?.length ? [logicalId(stack.exportBucket)] : []),
      ...(o.access.ingestBucket?.length ? [logicalId(stack.ingestBucket)] : []),
    ];
    const topics = [...(o.access.recallTopic ? [logicalId(stack.recallTopic)] : []), ...(o.access.alertsTopic ? [alertsTopicId] : [])];
    const allowed: Record<string, string[]> = {
      dynamodb: o.access.table ? [tableId] : [],
      s3: buckets,
      sns: topics,
      kms: [...(o.access.table ? [tableKey] : []), ...buckets.map(bucketKey), ...topics.map(keyOf)],
    };
    for (const s of statementsOf(roleOf(fnId(o.name))))
      for (const action of list(s.Action)) {
        const service = must(action.split(':')[0], action);
        if (allowed[service]) for (const r of refs(s.Resource)) expect(allowed[service], `${action} on ${r}`).toContain(r);
      }
  });

  it('gives no role anywhere a delete, a bucket-configuration change or a service-wide wildcard action', () => {
    const notifications = stack.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'))?.node.tryFindChild('Role');
    const notificationsRole = logicalId(must(notifications, 'the bucket notifications handler role'));
    for (const [roleId] of ofType('AWS::IAM::Role')) {
      const statements = statementsOf(roleId);
      const actions = [...allowedActions(statements)];
      // CDK's deploy-time handler that writes the ingest bucket's notification configuration: that, on that bucket only.
      if (roleId === notificationsRole) {
        expect(statements.map((s) => [s.Action, refs(s.Resource)])).toEqual([['s3:PutBucketNotification', [logicalId(stack.ingestBucket)]]]);
      } else {
        const deleter = DELETERS.some((n) => roleId === roleOf(fnId(n)));
        expect(
          actions.filter((a) => FORBIDDEN.some((f) => f.test(a)) && !(deleter && a === 'dynamodb:DeleteItem')),
          roleId,
        ).toEqual([]);
      }
    }
  });

  it('uses Resource "*" only for X-Ray and for SMS (SNS Publish to a phone number), which have no resource ARN', () => {
    const notifiers = JOBS.filter((j) => j.access.contacts).map((j) => roleOf(fnId(j.name)));
    for (const [roleId] of ofType('AWS::IAM::Role'))
      for (const s of statementsOf(roleId).filter((st) => list(st.Resource).includes('*'))) {
        const sms = notifiers.includes(roleId) && list(s.Action).every((a) => a === 'sns:Publish');
        const spendLimit = roleId.startsWith('AWS679f53fac002430cb0da5b7982bd2287') && list(s.Action).every((a) => a === 'sns:SetSMSAttributes');
        expect(list(s.Action).every((a) => a.startsWith('xray:')) || sms || spendLimit, JSON.stringify(s)).toBe(true);
      }
    // The SMS spend limit's deploy-time custom resource (its own policy, not a role's inline one) may only set SMS attributes.
    const custom = ofType('AWS::IAM::Policy').filter(([id]) => id.startsWith('SmsSpendLimit'));
    expect(custom.flatMap(([, p]) => ((p.Properties?.PolicyDocument as PolicyDocument).Statement ?? []).flatMap((x) => list(x.Action)))).toEqual([
      'sns:SetSMSAttributes',
    ]);
  });

  it('denies every function with table access but the recall notifier any read of contact details (CONTACT#)', () => {
    const readers: string[] = [];
    for (const o of OWNERS.filter((x) => x.access.table)) {
      const denies = statementsOf(roleOf(fnId(o.name))).filter(
        (st) => st.Effect === 'Deny' && JSON.stringify(st.Condition ?? {}).includes('"CONTACT#*"') && list(st.Action).includes('dynamodb:GetItem'),
      );
      if (denies.length === 0) {
        readers.push(o.name);
        continue;
      }
      const st = must(denies[0], 'deny');
      expect(list(st.Action).sort(), o.name).toEqual(['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query']);
      expect(refs(st.Resource), o.name).toEqual([tableId]);
      expect(st.Condition).toEqual({ 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['CONTACT#*'] } });
    }
    expect(readers.sort()).toEqual(
      OWNERS.filter((o) => o.access.table && o.access.contacts === 'read-and-send')
        .map((o) => o.name)
        .sort(),
    );
    expect(readers).toContain('recall-notifier');
    // The site writer writes them, never with ReturnValues (which would read the old item back).
    const site = statementsOf(roleOf(fnId('put-site'))).filter((st) => st.Effect === 'Deny' && list(st.Action).includes('dynamodb:PutItem'));
    expect(site.map((st) => st.Condition)).toEqual([
      { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['CONTACT#*'] }, StringNotEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' } },
    ]);
  });

  it('lets only the recall notifier read contacts and send email and SMS', () => {
    for (const o of OWNERS) {
      const actions = allowedActions(statementsOf(roleOf(fnId(o.name))));
      const sends = actions.has('ses:SendEmail');
      expect(sends, o.name).toBe(o.access.contacts === 'read-and-send');
      if (o.access.contacts) expect(o.name).toMatch(/^recall-notice|^recall-notifier/);
    }
  });
});

describe('the HTTP API', () => {
  const routes = ofType('AWS::ApiGatewayV2::Route');

  /** The contract's only public routes. A new public route is a deliberate change to this list, never a side effect. */
  const PUBLIC = ['GET /01/{gtin}/10/{lot}', 'GET /01/{gtin}/21/{serial}', 'GET /ack/{token}', 'POST /ack/{token}'];

  it('has one route per ROUTES entry, each with IAM auth unless public, integrated with that route’s function', () => {
    expect(routes.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of ROUTES) {
      const [, r] = must(
        routes.find(([, x]) => x.Properties?.RouteKey === `${route.method} ${route.path}`),
        route.path,
      );
      expect(r.Properties?.AuthorizationType).toBe(PUBLIC.includes(`${route.method} ${route.path}`) ? 'NONE' : 'AWS_IAM');
      const integration = ref(r.Properties?.Target);
      expect(ref(props(integration).IntegrationUri)).toBe(fnId(route.sharesFunctionOf ?? route.handler));
    }
  });

  it('serves the list routes from the functions of their item routes, whose modules dispatch on the route key', () => {
    const shared = ROUTES.filter((r) => r.sharesFunctionOf).map((r) => [`${r.method} ${r.path}`, r.sharesFunctionOf]);
    expect(shared).toEqual([
      ['GET /recalls', 'get-recall'],
      ['GET /exports', 'get-export'],
    ]);
    for (const [, host] of shared) expect(fnId(host as string)).toBeTruthy();
  });

  it('leaves exactly the intended routes unauthenticated (the resolver read only, the ack links writing recalls only), each with a throttle tighter than the stage default', () => {
    const open = routes.filter(([, r]) => r.Properties?.AuthorizationType !== 'AWS_IAM').map(([, r]) => String(r.Properties?.RouteKey));
    expect(open.sort()).toEqual([...PUBLIC].sort());
    const stage = props(must(ofType('AWS::ApiGatewayV2::Stage')[0], 'stage')[0]);
    const settings = stage.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    for (const key of PUBLIC) {
      expect(settings[key]?.ThrottlingRateLimit).toBeLessThan(100);
      expect(settings[key]?.ThrottlingBurstLimit).toBeLessThan(200);
      const route = must(
        ROUTES.find((r) => `${r.method} ${r.path}` === key),
        key,
      );
      expect(route.access).toEqual(key === 'POST /ack/{token}' ? { table: { write: ['recall'] } } : { table: 'read' });
    }
  });

  it('logs access and throttles on its one $default stage', () => {
    const stages = ofType('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const p = props(must(stages[0], 'stage')[0]);
    expect(p).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    const logs = p.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(RESOURCES[ref(logs.DestinationArn)]?.Type).toBe('AWS::Logs::LogGroup');
    expect(logs.Format).toContain('$context.requestId');
  });
});

describe('email and SMS', () => {
  it('sends from the firm’s SES identity through a configuration set whose bounce, complaint and delivery events reach the notifier', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'recalls@example.com' });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint', 'delivery']),
        SnsDestination: { TopicARN: { Ref: logicalId(stack.emailEvents) } },
      }),
    });
    const notifier = fnId('recall-notifier');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: notifier }, ScalingConfig: { MaximumConcurrency: 50 } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: { Ref: logicalId(stack.emailEvents) } });
  });

  it('feeds the notifier from an encrypted queue with a dead-letter queue, that POST /recalls may send to', () => {
    const q = logicalId(must(stack.notifyQueue, 'notify queue'));
    expect(props(q)).toMatchObject({ RedrivePolicy: { maxReceiveCount: 5 } });
    const post = allowedActions(statementsOf(roleOf(fnId('post-recalls'))));
    expect(post.has('sqs:SendMessage')).toBe(true);
    expect(post.has('ses:SendEmail')).toBe(false);
  });

  it('sets the account’s SMS spend limit from context', () => {
    const custom = Object.values(template.findResources('Custom::AWS'));
    expect(custom).toHaveLength(1);
    expect(JSON.stringify(custom[0]?.Properties)).toMatch(/MonthlySpendLimit.{0,8}100/);
  });
});

describe('jobs', () => {
  const dlqOf = (arn: unknown) => ref(arn);

  it.each(JOBS.filter((j) => j.kind === 'schedule'))('$name runs daily or hourly from one EventBridge rule with a DLQ and 2 retries', (job) => {
    if (job.kind !== 'schedule') return;
    const fn = fnId(job.name);
    const rules = ofType('AWS::Events::Rule').filter(([, r]) => (r.Properties?.Targets as Json[]).some((t) => ref(t.Arn) === fn));
    expect(rules).toHaveLength(1);
    const rule = must(rules[0], 'rule')[1];
    expect(rule.Properties?.ScheduleExpression).toBe(`cron(${job.cron.minute} ${job.cron.hour} * * ? *)`);
    const target = must((rule.Properties?.Targets as Json[])[0], 'target');
    expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 2 });
    const dlq = dlqOf((target.DeadLetterConfig as Json).Arn);
    // The function's own asynchronous failures land in the same queue.
    expect(dlqOf((props(fn).DeadLetterConfig as Json).TargetArn)).toBe(dlq);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fn }, MaximumRetryAttempts: 2 });
  });

  it('has one rule per schedule job', () => {
    const sweeps = JOBS.filter((j) => j.kind === 'table-stream' && j.sweep).length;
    expect(ofType('AWS::Events::Rule')).toHaveLength(JOBS.filter((j) => j.kind === 'schedule').length + sweeps);
  });

  it.each(JOBS.filter((j) => j.kind === 'ingest-queue'))('$name reads ingest notifications through a queue with a DLQ', (job) => {
    if (job.kind !== 'ingest-queue') return;
    const fn = fnId(job.name);
    const [, esm] = must(
      ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => ref(m.Properties?.FunctionName) === fn),
      'event source',
    );
    expect(esm.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const queue = ref(esm.Properties?.EventSourceArn);
    expect(props(queue).VisibilityTimeout).toBeGreaterThanOrEqual(6 * (props(fn).Timeout as number));
    expect(props(queue).RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalId(stack.ingestBucket) },
      NotificationConfiguration: {
        QueueConfigurations: Match.arrayWith([
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: job.prefix }] } },
            QueueArn: { 'Fn::GetAtt': [queue, 'Arn'] },
          },
        ]),
      },
    });
  });

  it.each(JOBS.filter((j) => j.kind === 'table-stream'))('$name reads the table stream, filtered by entity, with an on-failure queue', (job) => {
    if (job.kind !== 'table-stream') return;
    const fn = fnId(job.name);
    const [, esm] = must(
      ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => ref(m.Properties?.FunctionName) === fn),
      'event source',
    );
    expect(esm.Properties?.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    const filters = (esm.Properties?.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    expect(filters.map((f) => JSON.parse(f.Pattern))).toEqual([{ dynamodb: { NewImage: { entity: { S: [...job.entities] } } } }]);
    expect(RESOURCES[ref(esm.Properties?.DestinationConfig)]?.Type).toBe('AWS::SQS::Queue');
    expect(esm.Properties?.MaximumBatchingWindowInSeconds).toBe(job.batchWindowSeconds ?? 1);
  });

  it('anchors lot heads off the stream within the anchor interval, one run at a time, with an hourly safety net', () => {
    const job = must(
      JOBS.find((j) => j.name === 'ledger-anchor'),
      'the anchor job',
    );
    if (job.kind !== 'table-stream') throw new Error('ledger-anchor is a table-stream job');
    expect(job.entities).toEqual(['lot']);
    expect(anchorWindowSeconds(300)).toBe(270);
    expect(anchorWindowSeconds(3600)).toBe(300);
    expect(anchorWindowSeconds(10)).toBe(0);
    expect(job.batchWindowSeconds).toBe(anchorWindowSeconds(300));
    const fn = fnId(job.name);
    expect(props(fn).ReservedConcurrentExecutions).toBe(1);
    const rules = ofType('AWS::Events::Rule').filter(([, r]) => (r.Properties?.Targets as Json[]).some((t) => ref(t.Arn) === fn));
    expect(rules.map(([, r]) => r.Properties?.ScheduleExpression)).toEqual(['cron(45 * * * ? *)']);
  });
});

describe('queues and alarms', () => {
  const queues = ofType('AWS::SQS::Queue');
  const dlqs = new Set([
    ...queues.flatMap(([, q]) => refs((q.Properties?.RedrivePolicy as Json | undefined)?.deadLetterTargetArn)),
    ...ofType('AWS::Lambda::Function').flatMap(([, f]) => refs(f.Properties?.DeadLetterConfig)),
    ...ofType('AWS::Events::Rule').flatMap(([, r]) => (r.Properties?.Targets as Json[]).flatMap((t) => refs(t.DeadLetterConfig))),
    ...ofType('AWS::Lambda::EventSourceMapping').flatMap(([, m]) => refs(m.Properties?.DestinationConfig)),
  ]);

  it('are all encrypted and TLS-only', () => {
    for (const [id, q] of queues) {
      expect(q.Properties?.SqsManagedSseEnabled === true || q.Properties?.KmsMasterKeyId !== undefined, id).toBe(true);
      const policy = must(
        ofType('AWS::SQS::QueuePolicy').find(([, p]) => refs(p.Properties?.Queues).includes(id)),
        `queue policy of ${id}`,
      )[1];
      expect((policy.Properties?.PolicyDocument as PolicyDocument).Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('every dead-letter queue has one alarm that tells the alerts topic as soon as a message lands', () => {
    expect([...dlqs].sort()).toEqual(stack.deadLetterQueues.map((q) => logicalId(q)).sort());
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties?.Namespace === 'AWS/SQS');
    expect(alarms).toHaveLength(dlqs.size);
    for (const dlq of dlqs) {
      const mine = alarms.filter(([, a]) => refs(a.Properties?.Dimensions).includes(dlq));
      expect(mine, dlq).toHaveLength(1);
      expect(mine[0]?.[1].Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: alertsTopicId }],
      });
    }
  });
});

describe('operations', () => {
  const alarms = ofType('AWS::CloudWatch::Alarm');

  // A route function's crash or timeout is an API 5xx, which the API's own alarm reports (next test); jobs have their own.
  it.each(OWNERS.filter((o) => o.kind === 'route'))('route $name has no alarm of its own: the API 5xx alarm covers it', (o) => {
    const id = fnId(o.name);
    expect(alarms.filter(([, a]) => a.Properties?.MetricName === 'Errors' && refs(a.Properties?.Dimensions).includes(id))).toHaveLength(0);
  });

  it.each(OWNERS.filter((o) => o.kind !== 'route'))('job $name has an alarm to the alerts topic on any unhandled error or timeout', (o) => {
    const id = fnId(o.name);
    const mine = alarms.filter(([, a]) => a.Properties?.MetricName === 'Errors' && refs(a.Properties?.Dimensions).includes(id));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.[1].Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: alertsTopicId }],
    });
  });

  it('alarms on any 5xx answer of the API', () => {
    const apiId = logicalId(stack.api);
    const mine = alarms.filter(([, a]) => a.Properties?.MetricName === '5xx');
    expect(mine).toHaveLength(1);
    expect(refs(mine[0]?.[1].Properties?.Dimensions)).toEqual([apiId]);
    expect(mine[0]?.[1].Properties).toMatchObject({ Namespace: 'AWS/ApiGateway', Threshold: 1, AlarmActions: [{ Ref: alertsTopicId }] });
  });

  it("encrypts every log group with the logs key, which CloudWatch Logs may use only for this account's log groups", () => {
    const groups = ofType('AWS::Logs::LogGroup');
    expect(groups.length).toBe(OWNERS.length + 1);
    const keys = new Set(groups.map(([, g]) => ref(g.Properties?.KmsKeyId)));
    expect(keys.size).toBe(1);
    const [keyId] = [...keys] as [string];
    expect(props(keyId).EnableKeyRotation).toBe(true);
    const statements = (props(keyId).KeyPolicy as PolicyDocument).Statement;
    const logs = statements.filter((st) => JSON.stringify(st.Principal ?? {}).includes('logs.'));
    expect(logs).toHaveLength(1);
    expect(JSON.stringify(logs[0]?.Condition)).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(JSON.stringify(logs[0]?.Condition)).toContain(':log-group:*');
  });
});

describe('recall notice subscriptions', () => {
  const { stack } = lotledgerApp({
    'lotledger:storeSubscriptions': [
      { siteId: 'store-101', endpoint: 'https://store-101.example.com/recalls' },
      { siteId: 'store-102', endpoint: 'https://store-102.example.com/recalls' },
    ],
  });
  const t = Template.fromStack(stack);

  it('subscribes each store webhook with a filter policy on its own siteId', () => {
    for (const siteId of ['store-101', 'store-102']) {
      t.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'https',
        Endpoint: `https://${siteId}.example.com/recalls`,
        FilterPolicy: { siteId: [siteId] },
      });
    }
  });

  it('subscribes no queue for customer notices: the notifier emails and texts customers itself', () => {
    expect(Object.values(t.findResources('AWS::SNS::Subscription')).filter((x) => x.Properties?.Protocol === 'sqs')).toEqual([]);
  });

  it('refuses a store subscription that is not https', () => {
    expect(() => lotledgerApp({ 'lotledger:storeSubscriptions': [{ siteId: 'store-1', endpoint: 'http://x' }] })).toThrow(/https/);
  });
});
