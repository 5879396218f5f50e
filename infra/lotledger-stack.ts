import { Aws, CfnOutput, CfnParameter, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, type CfnGlobalTable, ProjectionType, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SnsEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, ObjectLockRetention, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { ConfigurationSet, EmailIdentity, EmailSendingEvent, EventDestination, Identity } from 'aws-cdk-lib/aws-ses';
import { Subscription, SubscriptionFilter, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { TABLE } from '../lib/table-schema.js';
import type { AccessTargets } from './access.js';
import { ConsoleHosting } from './console.js';
import { JOBS, type Job } from './jobs.js';
import { LotledgerFunction } from './lotledger-function.js';
import { ROUTES, type Route } from './routes.js';

/** Context key of the exports' Object Lock retention: `npx cdk synth -c lotledger:exportRetentionDays=3650`. */
export const EXPORT_RETENTION_CONTEXT = 'lotledger:exportRetentionDays';
/** FSMA 204 asks for two years of traceability records. */
export const DEFAULT_EXPORT_RETENTION_DAYS = 730;

/**
 * Context key of the stores' own recall webhooks: `[{"siteId": "store-101", "endpoint": "https://..."}]`. Each store
 * gets one HTTPS subscription whose filter policy passes only notices whose `siteId` attribute is that store.
 */
export const STORE_SUBSCRIPTIONS_CONTEXT = 'lotledger:storeSubscriptions';
export type StoreSubscription = { siteId: string; endpoint: string };

/** Stores' webhook subscriptions from context (a JSON string on the command line, an array in cdk.json). */
export function storeSubscriptions(scope: Construct): StoreSubscription[] {
  const raw: unknown = scope.node.tryGetContext(STORE_SUBSCRIPTIONS_CONTEXT) ?? [];
  const list = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  if (!Array.isArray(list)) throw new Error(`${STORE_SUBSCRIPTIONS_CONTEXT} must be an array of {siteId, endpoint}`);
  return list.map((x: { siteId?: unknown; endpoint?: unknown }, i) => {
    if (typeof x?.siteId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(x.siteId))
      throw new Error(`${STORE_SUBSCRIPTIONS_CONTEXT}[${i}].siteId is not a siteId`);
    if (typeof x.endpoint !== 'string' || !x.endpoint.startsWith('https://'))
      throw new Error(`${STORE_SUBSCRIPTIONS_CONTEXT}[${i}].endpoint must be an https:// URL`);
    return { siteId: x.siteId, endpoint: x.endpoint };
  });
}

/**
 * Context key of the recall notifier's settings: `{"consoleUrl", "firmName", "firmPhone", "firmEmail", "smsMonthlySpendUsd"}`.
 * The firm's email is the SES identity notices are sent from; the SMS spend limit is the account's SNS MonthlySpendLimit.
 */
export const NOTIFIER_CONTEXT = 'lotledger:notifier';
export type NotifierSettings = { consoleUrl: string; firmName: string; firmPhone: string; firmEmail: string; smsMonthlySpendUsd: number };

/** The notifier's settings from context; each missing or malformed one is named. */
export function notifierSettings(scope: Construct): NotifierSettings {
  const raw: unknown = scope.node.tryGetContext(NOTIFIER_CONTEXT);
  const v = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Partial<Record<keyof NotifierSettings, unknown>> | undefined;
  const str = (k: keyof NotifierSettings, ok: (s: string) => boolean) => {
    const x = v?.[k];
    if (typeof x !== 'string' || !ok(x)) throw new Error(`${NOTIFIER_CONTEXT}.${k} is missing or malformed`);
    return x;
  };
  const spend = Number(v?.smsMonthlySpendUsd);
  if (!Number.isInteger(spend) || spend < 1) throw new Error(`${NOTIFIER_CONTEXT}.smsMonthlySpendUsd must be a whole number of US dollars >= 1`);
  return {
    consoleUrl: str('consoleUrl', (s) => s.startsWith('https://')),
    firmName: str('firmName', (s) => s.length > 0),
    firmPhone: str('firmPhone', (s) => s.length > 0),
    firmEmail: str('firmEmail', (s) => /^[^@\s]+@[^@\s]+$/.test(s)),
    smsMonthlySpendUsd: spend,
  };
}

/** API handlers answer inside API Gateway's 30 s integration limit; jobs get five minutes. */
const ROUTE_TIMEOUT = Duration.seconds(29);
const JOB_TIMEOUT = Duration.minutes(5);

export type LotledgerStackProps = StackProps & {
  /** default ROUTES and JOBS: the same lists the local stack serves */
  routes?: readonly Route[];
  jobs?: readonly Job[];
  /** the console's build to publish, default web/dist (infra/console.ts) */
  consoleDist?: string;
};

/** `post-recall-acknowledgements` → `PostRecallAcknowledgements` */
const pascal = (s: string) => s.replace(/(^|[-_/])([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());

/** The retention of exports from context; the CLI passes `-c` values as strings. */
export function exportRetentionDays(scope: Construct): number {
  const raw: unknown = scope.node.tryGetContext(EXPORT_RETENTION_CONTEXT) ?? DEFAULT_EXPORT_RETENTION_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) throw new Error(`${EXPORT_RETENTION_CONTEXT} must be a whole number of days >= 1, got ${String(raw)}`);
  return days;
}

/**
 * The whole lotledger deployment: one table, the export and ingest buckets, the recall and alerts topics, one
 * function per route and job with only the IAM actions of its `Access`, the HTTP API (IAM auth), the job triggers,
 * and a dead-letter queue with an alarm for everything invoked asynchronously.
 */
export class LotledgerStack extends Stack {
  readonly table: TableV2;
  readonly exportBucket: Bucket;
  readonly ingestBucket: Bucket;
  readonly recallTopic: Topic;
  readonly alertsTopic: Topic;
  /** SES: the firm's sending identity and the configuration set whose events reach the notifier */
  readonly emailIdentity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  /** SES bounce, complaint and delivery events, for the notifier */
  readonly emailEvents: Topic;
  /** the recall notifier's queue of recipient shards */
  notifyQueue?: Queue;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** by route handler or job name */
  readonly functions = new Map<string, LotledgerFunction>();
  readonly deadLetterQueues: Queue[] = [];
  /** the web console, a nested stack: S3 + CloudFront, Cognito sign-in with one IAM role per group (infra/console.ts) */
  readonly console: ConsoleHosting;
  /** the queue POST /exports puts jobs on, when an export-queue job is defined */
  exportQueue?: Queue;
  private readonly targets: AccessTargets;
  private readonly logsKey: Key;

  constructor(scope: Construct, id: string, props: LotledgerStackProps = {}) {
    super(scope, id, props);
    // Server access logs are delivered under a bucket policy, not the legacy log-delivery ACL, whatever cdk.json says.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const retentionDays = exportRetentionDays(this);

    const key = (keyId: string, description: string) =>
      new Key(this, keyId, { description: `lotledger: ${description}`, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    const tableKey = key('TableKey', 'the ledger table and its stream');
    const exportKey = key('ExportKey', 'exports (Object Lock bucket)');
    const ingestKey = key('IngestKey', 'batch files and their reports');
    const recallKey = key('RecallTopicKey', 'recall notices topic');
    const alertsKey = key('AlertsTopicKey', 'alerts topic');
    // CloudWatch Logs encrypts the function and API log groups with this key, only for this account's log groups.
    this.logsKey = key('LogsKey', 'CloudWatch Logs of the functions and the API');
    this.logsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
        },
      }),
    );

    // --- the table: keys, indexes and TTL from lib/table-schema.ts, which the local stack provisions too
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: TABLE.indexes.map((i) => ({
        indexName: i.name,
        partitionKey: { name: i.partitionKey, type: AttributeType.STRING },
        sortKey: { name: i.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      })),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      // The key goes in below: TableEncryptionV2.customerManagedKey() refuses a region-agnostic stack, and this
      // stack stays agnostic so that `cdk synth` works offline and `cdk deploy` goes to the profile's region.
      encryption: TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
    });
    // A single-region TableV2 has exactly one replica, the stack's own region (pinned in test/infra/stack.test.ts).
    (this.table.node.defaultChild as CfnGlobalTable).addPropertyOverride('Replicas.0.SSESpecification', { KMSMasterKeyId: tableKey.keyArn });

    // --- buckets
    const accessLogs = new Bucket(this, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      // Access to exports stays provable for as long as the exports themselves are locked.
      lifecycleRules: [{ expiration: Duration.days(Math.max(retentionDays, 365)) }],
    });
    // (cdk-nag's S1 accepts this bucket without logs of its own because it is the other buckets' log destination.)
    const dataBucket = (bucketId: string, encryptionKey: Key, logPrefix: string) => ({
      encryption: BucketEncryption.KMS,
      encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: logPrefix,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: `${bucketId}AbortUploads`, abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });
    this.exportBucket = new Bucket(this, 'ExportBucket', {
      ...dataBucket('Export', exportKey, 'exports/'),
      // COMPLIANCE: nobody, root included, can shorten the retention or delete a locked version before it ends.
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(retentionDays)),
    });
    this.ingestBucket = new Bucket(this, 'IngestBucket', {
      ...dataBucket('Ingest', ingestKey, 'ingest/'),
      lifecycleRules: [
        { id: 'IngestAbortUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        { id: 'IngestOldVersions', noncurrentVersionExpiration: Duration.days(90) },
      ],
    });

    // --- topics
    this.recallTopic = new Topic(this, 'RecallTopic', { displayName: 'lotledger recall notices', masterKey: recallKey, enforceSSL: true });
    this.alertsTopic = new Topic(this, 'AlertsTopic', { displayName: 'lotledger alerts', masterKey: alertsKey, enforceSSL: true });

    // Store systems subscribe to the notices meant for them, filtered on the siteId message attribute.
    for (const s of storeSubscriptions(this)) {
      new Subscription(this, `StoreSubscription${pascal(s.siteId)}`, {
        topic: this.recallTopic,
        protocol: SubscriptionProtocol.HTTPS,
        endpoint: s.endpoint,
        filterPolicy: { siteId: SubscriptionFilter.stringFilter({ allowlist: [s.siteId] }) },
      });
    }
    // CloudWatch alarms publish to the alerts topic as the CloudWatch service: the topic policy and key must let it.
    this.alertsTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alertsTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
        },
      }),
    );
    alertsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    // Not a resource but a deploy-time setting: the company prefix SSCCs are numbered under (POST /labels/sscc).
    const gs1CompanyPrefix = new CfnParameter(this, 'Gs1CompanyPrefix', {
      type: 'String',
      description: 'GS1 company prefix (4-12 digits) that POST /labels/sscc numbers SSCCs under',
      allowedPattern: '^\\d{4,12}$',
      // no default: a deploy names its own prefix, or SSCCs would be issued under someone else's
    });
    // --- email and SMS: the firm's identity, a configuration set whose events come back to the notifier, the SMS spend limit
    const notifier = notifierSettings(this);
    this.emailIdentity = new EmailIdentity(this, 'FirmEmailIdentity', { identity: Identity.email(notifier.firmEmail) });
    this.configurationSet = new ConfigurationSet(this, 'NoticeConfigurationSet', { reputationMetrics: true });
    this.emailEvents = new Topic(this, 'EmailEventsTopic', { displayName: 'lotledger SES events', masterKey: recallKey, enforceSSL: true });
    recallKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.configurationSet.addEventDestination('NoticeEvents', {
      destination: EventDestination.snsTopic(this.emailEvents),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY, EmailSendingEvent.REJECT],
    });
    const smsLimit = new AwsCustomResource(this, 'SmsSpendLimit', {
      onUpdate: {
        service: 'SNS',
        action: 'setSMSAttributes',
        parameters: { attributes: { MonthlySpendLimit: String(notifier.smsMonthlySpendUsd), DefaultSMSType: 'Transactional' } },
        physicalResourceId: PhysicalResourceId.of(`sms-spend-${notifier.smsMonthlySpendUsd}`),
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    Validations.of(smsLimit).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'SNS SetSMSAttributes is an account setting with no resource ARN; the deploy-time custom resource calls only it.',
    });
    const provider = this.node.tryFindChild(AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '').replace(/^/, 'AWS'));
    if (provider)
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's AwsCustomResource provider, run only by CloudFormation during deployments, has the basic execution role; CDK offers no way to replace it.",
      });

    this.targets = {
      gs1CompanyPrefix: gs1CompanyPrefix.valueAsString,
      table: { table: this.table, key: tableKey },
      exportBucket: { bucket: this.exportBucket, key: exportKey },
      ingestBucket: { bucket: this.ingestBucket, key: ingestKey },
      recallTopic: { topic: this.recallTopic, key: recallKey },
      alertsTopic: { topic: this.alertsTopic, key: alertsKey },
      settings: {
        CONSOLE_URL: notifier.consoleUrl,
        RECALLING_FIRM_NAME: notifier.firmName,
        RECALLING_FIRM_PHONE: notifier.firmPhone,
        RECALLING_FIRM_EMAIL: notifier.firmEmail,
        SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
      },
      ses: {
        identityArn: `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${notifier.firmEmail}`,
        configurationSetArn: `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:configuration-set/${this.configurationSet.configurationSetName}`,
      },
    };

    // --- the HTTP API: IAM auth on every route, access logs and throttling on the one stage
    this.api = new HttpApi(this, 'Api', {
      apiName: 'lotledger',
      description: 'lotledger: lot and serial traceability',
      defaultAuthorizer: new HttpIamAuthorizer(),
      createDefaultStage: false,
      // The console (another origin, CloudFront) calls the API with SigV4-signed requests. Any origin may ask: a request
      // is allowed by its signature, never by a cookie (no credentials mode), so a foreign page gains nothing a plain
      // HTTP client lacks; naming the console's own origin here would make the API and the console stack refer to each other.
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
        maxAge: Duration.hours(1),
      },
    });
    const apiLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: this.logsKey,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      // Per-stage default for every route: one runaway client cannot use up the account's API Gateway quota.
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(apiLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            caller: '$context.identity.userArn',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            responseLength: '$context.responseLength',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    // A 5xx is lotledger failing a caller (a handler crash, a timeout, an integration error), never bad input.
    this.alarmOnAny(
      this,
      'ApiServerErrorsAlarm',
      'lotledger API: 5xx answers',
      this.api.metricServerError({ period: Duration.minutes(5), statistic: Stats.SUM }),
    );

    // The export queue exists before the routes that send to it.
    const exportJob = (props.jobs ?? JOBS).find((j) => j.kind === 'export-queue');
    if (exportJob?.kind === 'export-queue') {
      const dlq = this.deadLetterQueue(this, 'ExportQueueDlq', `${exportJob.name}: export jobs that failed ${exportJob.maxReceiveCount} times`);
      this.exportQueue = new Queue(this, 'ExportQueue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // Lambda's guidance: at least six times the function timeout, so a retry never overlaps a running export.
        visibilityTimeout: Duration.seconds(exportJob.timeoutSeconds * 6),
        deadLetterQueue: { queue: dlq, maxReceiveCount: exportJob.maxReceiveCount },
      });
      this.targets.exportQueue = this.exportQueue;
    }

    // The notifier's queue exists before POST /recalls, which sends to it.
    const notifyJob = (props.jobs ?? JOBS).find((j) => j.kind === 'notify-queue');
    if (notifyJob?.kind === 'notify-queue') {
      const dlq = this.deadLetterQueue(this, 'NotifyQueueDlq', `${notifyJob.name}: recall shards that failed ${notifyJob.maxReceiveCount} times`);
      this.notifyQueue = new Queue(this, 'NotifyQueue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(notifyJob.timeoutSeconds * 6),
        deadLetterQueue: { queue: dlq, maxReceiveCount: notifyJob.maxReceiveCount },
      });
      this.targets.notifyQueue = this.notifyQueue;
    }

    const routes = new Construct(this, 'Routes');
    const all = props.routes ?? ROUTES;
    for (const route of all) this.addRoute(routes, route, all);
    const jobs = new Construct(this, 'Jobs');
    for (const job of props.jobs ?? JOBS) this.addJob(jobs, job);

    // The console is a nested stack: its ~20 resources count against its own 500, not this stack's.
    this.console = new ConsoleHosting(this, 'Console', {
      api: this.api,
      routes: props.routes ?? ROUTES,
      accessLogs,
      ...(props.consoleDist ? { dist: props.consoleDist } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'ExportBucketName', { value: this.exportBucket.bucketName });
    new CfnOutput(this, 'IngestBucketName', { value: this.ingestBucket.bucketName });
    new CfnOutput(this, 'RecallTopicArn', { value: this.recallTopic.topicArn });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alertsTopic.topicArn });
  }

  private fn(
    scope: Construct,
    id: string,
    name: string,
    source: string,
    props: Partial<ConstructorParameters<typeof LotledgerFunction>[2]>,
    alarm: 'own-alarm' | 'api-5xx' = 'own-alarm',
  ) {
    if (this.functions.has(name)) throw new Error(`two routes or jobs are named ${name}`);
    const fn = new LotledgerFunction(scope, id, { source, description: `lotledger ${name}`, logsKey: this.logsKey, ...props });
    this.functions.set(name, fn);
    // A route's crash or timeout is a 5xx answer of the API, which the API's 5xx alarm already reports; an alarm per
    // route function would say it twice and cost 42 of CloudFormation's 500 resources a stack.
    if (alarm === 'api-5xx') return fn;
    // Handled failures are answers (4xx) or retried work; an error here is a crash or a timeout: someone should look.
    this.alarmOnAny(
      scope,
      `${id}ErrorsAlarm`,
      `lotledger ${name}: the function failed (unhandled error or timeout)`,
      fn.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
    );
    return fn;
  }

  private addRoute(scope: Construct, route: Route, all: readonly Route[]) {
    const id = pascal(route.handler);
    let fn: LotledgerFunction;
    if (route.sharesFunctionOf) {
      const host = all.find((r) => r.handler === route.sharesFunctionOf);
      const hostFn = this.functions.get(route.sharesFunctionOf);
      if (!host || !hostFn)
        throw new Error(`${route.method} ${route.path} shares the function of ${route.sharesFunctionOf}, which is not a route before it`);
      // the function's role is the host route's: a sharing route may not need more (or less) than it grants
      if (JSON.stringify([host.access, host.env ?? []]) !== JSON.stringify([route.access, route.env ?? []]))
        throw new Error(`${route.method} ${route.path} shares the function of ${host.handler} but asks for other access`);
      fn = hostFn;
    } else {
      fn = this.fn(scope, id, route.handler, route.handler, { timeout: ROUTE_TIMEOUT }, 'api-5xx');
      fn.useAccess(route.access, route.env ?? [], this.targets);
    }
    const added = this.api.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${id}Integration`, fn),
      ...(route.auth === 'none' ? { authorizer: new HttpNoneAuthorizer() } : {}),
    });
    if (route.auth === 'none') {
      if (!route.throttle) throw new Error(`${route.method} ${route.path} is public: give it a throttle of its own`);
      for (const r of added) {
        Validations.of(r).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'A public route of the contract (the GS1 Digital Link resolver, read only; or an acknowledgement link, whose unguessable token is the credential of a clerk, distributor or customer without an account): no auth by design, its own throttle.',
        });
      }
    }
    if (route.throttle) {
      // Route settings live on the stage (L1, untyped JSON, so CloudFormation names): one entry per route key, below the default.
      const stage = this.stage.node.defaultChild as CfnStage;
      const current = (stage.routeSettings ?? {}) as Record<string, unknown>;
      stage.routeSettings = {
        ...current,
        [`${route.method} ${route.path}`]: { ThrottlingRateLimit: route.throttle.rateLimit, ThrottlingBurstLimit: route.throttle.burstLimit },
      };
    }
  }

  private addJob(scope: Construct, job: Job) {
    const id = pascal(job.name);
    switch (job.kind) {
      case 'schedule': {
        // One queue catches both ways a scheduled run can be lost: EventBridge failing to invoke, and the
        // function failing all of its asynchronous attempts.
        const dlq = this.deadLetterQueue(scope, `${id}Dlq`, `${job.name}: scheduled runs that failed`);
        const fn = this.fn(scope, id, job.name, job.handler, {
          timeout: JOB_TIMEOUT,
          deadLetterQueue: dlq,
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        });
        fn.useAccess(job.access, job.env ?? [], this.targets);
        new Rule(scope, `${id}Schedule`, {
          description: `lotledger ${job.name}`,
          schedule: Schedule.cron({ minute: job.cron.minute, hour: job.cron.hour }),
          targets: [new LambdaFunction(fn, { deadLetterQueue: dlq, retryAttempts: 2, maxEventAge: Duration.hours(1) })],
        });
        return;
      }
      case 'table-stream': {
        const failures = this.deadLetterQueue(scope, `${id}Failures`, `${job.name}: stream batches that failed every retry`);
        Validations.of(failures).acknowledge({
          id: 'AwsSolutions-SQS3',
          reason: 'This queue is itself a dead-letter queue: the on-failure destination of the table stream event source mapping.',
        });
        // The sweep's lost runs (EventBridge failing to invoke, or every asynchronous attempt failing) land in one queue.
        const sweepDlq = job.sweep ? this.deadLetterQueue(scope, `${id}SweepDlq`, `${job.name}: scheduled sweeps that failed`) : undefined;
        const fn = this.fn(scope, id, job.name, job.handler, {
          timeout: JOB_TIMEOUT,
          ...(job.oneAtATime ? { reservedConcurrentExecutions: 1 } : {}),
          ...(sweepDlq ? { deadLetterQueue: sweepDlq, retryAttempts: 2, maxEventAge: Duration.hours(1) } : {}),
        });
        fn.useAccess(job.access, job.env ?? [], this.targets);
        if (job.sweep && sweepDlq) {
          new Rule(scope, `${id}Sweep`, {
            description: `lotledger ${job.name} (safety net)`,
            schedule: Schedule.cron(job.sweep),
            targets: [new LambdaFunction(fn, { deadLetterQueue: sweepDlq, retryAttempts: 2, maxEventAge: Duration.hours(1) })],
          });
        }
        // The event source mapping reads the stream with the function's role; the stream is encrypted with the table
        // key, which CDK's stream grant does not know about (see the table's encryption above).
        fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.targets.table.key.keyArn] }));
        fn.addEventSource(
          new DynamoEventSource(this.table, {
            startingPosition: StartingPosition.TRIM_HORIZON,
            batchSize: 100,
            maxBatchingWindow: Duration.seconds(job.batchWindowSeconds ?? 1),
            retryAttempts: 5,
            onFailure: new SqsDlq(failures),
            filters: [FilterCriteria.filter({ dynamodb: { NewImage: { entity: { S: FilterRule.or(...job.entities) } } } })],
          }),
        );
        return;
      }
      case 'export-queue': {
        if (!this.exportQueue) throw new Error('export queue missing');
        const fn = this.fn(scope, id, job.name, job.handler, {
          timeout: Duration.seconds(job.timeoutSeconds),
          memorySize: job.memoryMb,
          environment: { NODE_OPTIONS: `--enable-source-maps --max-old-space-size=${job.maxHeapMb}` },
        });
        fn.useAccess(job.access, job.env ?? [], this.targets);
        fn.addEventSource(new SqsEventSource(this.exportQueue, { batchSize: job.batchSize, reportBatchItemFailures: true }));
        return;
      }
      case 'notify-queue': {
        if (!this.notifyQueue) throw new Error('notifier queue missing');
        const fn = this.fn(scope, id, job.name, job.handler, { timeout: Duration.seconds(job.timeoutSeconds) });
        fn.useAccess(job.access, job.env ?? [], this.targets);
        fn.addEventSource(
          new SqsEventSource(this.notifyQueue, { batchSize: job.batchSize, reportBatchItemFailures: true, maxConcurrency: job.maxConcurrency }),
        );
        // SES's bounce, complaint and delivery events: a bounce sends the notice by the other channel.
        fn.addEventSource(new SnsEventSource(this.emailEvents));
        return;
      }
      case 'ingest-queue': {
        const dlq = this.deadLetterQueue(scope, `${id}Dlq`, `${job.name}: batch file notifications that failed 5 times`);
        const queue = new Queue(scope, `${id}Queue`, {
          encryption: QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          // Lambda's guidance: at least six times the function timeout, so retries never overlap a running batch.
          visibilityTimeout: Duration.seconds(JOB_TIMEOUT.toSeconds() * 6),
          deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
        });
        this.ingestBucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(queue), { prefix: job.prefix });
        const fn = this.fn(scope, id, job.name, job.handler, { timeout: JOB_TIMEOUT });
        fn.useAccess(job.access, job.env ?? [], this.targets);
        // One file per invocation, so each file has the whole timeout; a failure returns just that message.
        fn.addEventSource(new SqsEventSource(queue, { batchSize: 1, reportBatchItemFailures: true }));
        this.acknowledgeBucketNotificationsHandler();
        return;
      }
    }
  }

  /** An alarm that tells the alerts topic as soon as the metric reaches 1 in one period (no data is not a breach). */
  private alarmOnAny(scope: Construct, id: string, description: string, metric: IMetric) {
    new Alarm(scope, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(this.alertsTopic));
  }

  /** An encrypted, SSL-only queue kept 14 days, with an alarm to the alerts topic as soon as anything lands in it. */
  private deadLetterQueue(scope: Construct, id: string, what: string): Queue {
    const queue = new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.alarmOnAny(
      scope,
      `${id}Alarm`,
      `lotledger dead letters: ${what}`,
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: Stats.MAXIMUM }),
    );
    this.deadLetterQueues.push(queue);
    return queue;
  }

  /** CDK's own deploy-time function that writes the bucket's notification configuration (scoped to this bucket). */
  private acknowledgeBucketNotificationsHandler() {
    const handler = this.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (!handler) throw new Error('CDK renamed its BucketNotificationsHandler singleton: move its acknowledgement');
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's BucketNotificationsHandler, run only by CloudFormation during deployments, has the basic execution role; CDK offers no way to replace it.",
    });
  }
}
