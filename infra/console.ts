import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, Aws, type CfnElement, CfnOutput, CfnParameter, Duration, NestedStack, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  AccountRecovery,
  AdvancedSecurityMode,
  CfnIdentityPool,
  CfnIdentityPoolRoleAttachment,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Effect, FederatedPrincipal, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { Route } from './routes.js';

/** The console's sign-in groups: what each may do is the set of API routes its IAM role may invoke. */
export const CONSOLE_GROUPS = ['compliance', 'quality', 'store'] as const;
export type ConsoleGroup = (typeof CONSOLE_GROUPS)[number];

/** Routes only compliance and quality call: starting recalls and their follow-up, exports, FDA requests, QA holds, master data. */
const WRITES_OF_COMPLIANCE_AND_QUALITY =
  /^(POST \/recalls(\/\{recallId\}\/(effectiveness-checks|close))?|POST \/exports|POST \/fda-requests.*|POST \/lots\/.*|PUT .*|POST \/ledger\/checkpoints|POST \/labels\/sscc)$/;
/** What a store user may call besides reading: acknowledging a recall, scanning stock, running the expiry check. */
const STORE_WRITES = /^(POST \/recalls\/\{recallId\}\/acknowledgements|POST \/scans|POST \/movements|POST \/expiry-checks)$/;

/**
 * The routes a group's role may invoke.
 * compliance and quality: every route. store: every read (GET) and the writes a store makes (STORE_WRITES), never a
 * recall, an export or an FDA request.
 * @example routesFor('store', ROUTES).some((r) => r.method === 'POST' && r.path === '/recalls') // false
 */
export function routesFor(group: ConsoleGroup, routes: readonly Route[]): Route[] {
  if (group !== 'store') return [...routes];
  return routes.filter(
    (r) => r.method === 'GET' || (STORE_WRITES.test(`${r.method} ${r.path}`) && !WRITES_OF_COMPLIANCE_AND_QUALITY.test(`${r.method} ${r.path}`)),
  );
}

/** `GET /recalls/{recallId}` as the resource part of an execute-api ARN: `GET/recalls/*`. */
const arnPath = (r: Route) => `${r.method}${r.path.replace(/\{[^}]+\}/g, '*')}`;

/** Context key of the sign-in domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`); default `lotledger-<account id>`. */
export const SIGN_IN_PREFIX_CONTEXT = 'lotledger:consoleSignInPrefix';

/** The console's build, `npm run build:console`: published with the stack when it exists at synth time. */
export const WEB_DIST = fileURLToPath(new URL('../web/dist', import.meta.url));

/**
 * What the console reads at start (`/config.json`, web/src/lib/config.ts): with a user pool named, it signs users in
 * and signs its API calls; without one (`npm start`) it calls the same origin unsigned.
 */
export type ConsoleConfig = {
  region: string;
  apiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  signInUrl: string;
};

export type ConsoleProps = {
  api: HttpApi;
  routes: readonly Route[];
  /** the bucket that receives the other buckets' server access logs */
  accessLogs: Bucket;
  /** the built console to publish, default web/dist; when it has no index.html only config.json is published (a synth warning says so) */
  dist?: string;
};

/**
 * The console in the cloud, a nested stack of its own (it keeps ~20 resources out of the main stack's 500): its built
 * files (web/dist) and a generated config.json in a private S3 bucket that only CloudFront reads, through origin access
 * control; HTTPS only, with security headers; sign-in by a Cognito user pool (hosted UI, OAuth code flow with PKCE) whose
 * groups (compliance, quality, store) map, through an identity pool, to IAM roles that may invoke only their routes of
 * the HTTP API. The API keeps IAM auth: machine clients sign with their own credentials, console users with their group
 * role's. The API's id comes in as the parameter `ApiId`.
 */
export class ConsoleHosting extends NestedStack {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly signIn: UserPoolDomain;
  readonly identityPool: CfnIdentityPool;
  readonly roles = new Map<ConsoleGroup, Role>();
  /** config.json as deployed (tokens resolved by CloudFormation) */
  readonly config: ConsoleConfig;
  /** the web build and config.json; the web build's is absent when web/dist was not built at synth time */
  readonly deployments: { site?: BucketDeployment; config: BucketDeployment };

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id, {
      description: 'lotledger console: CloudFront, its bucket, Cognito sign-in and the group roles',
      parameters: { ApiId: props.api.apiId },
    });
    const apiId = new CfnParameter(this, 'ApiId', { type: 'String', description: 'the HTTP API the console calls' }).valueAsString;
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'console/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });
    // CloudFront standard logs are written with an ACL, so they get a bucket of their own that allows one.
    const cdnLogs = new Bucket(this, 'CdnLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'console-cdn-logs/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });

    const apiOrigin = `https://${apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    const signInPrefix = signInPrefixOf(this);
    const signInUrl = `https://${signInPrefix}.auth.${Aws.REGION}.amazoncognito.com`;
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'lotledger console: security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            "img-src 'self' data: blob:",
            "style-src 'self' 'unsafe-inline'",
            "script-src 'self'",
            `connect-src 'self' ${apiOrigin} ${signInUrl} https://cognito-identity.${Aws.REGION}.amazonaws.com`,
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
          ].join('; '),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'lotledger console',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: cdnLogs,
      logFilePrefix: 'cdn/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      // The console's own addresses (/console/..., /ack/{token}) are client-side routes: S3 has no such object (403
      // through OAC), so CloudFront answers with the app, which draws the page.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(10),
      })),
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, with which CloudFront allows TLSv1 in its security policy; a custom domain with an ACM certificate (TLSv1.2_2021) is a deployment choice.',
      },
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Stores, distributors and customers acknowledging recalls may be anywhere: the console is not restricted by country.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves static files only (GET and HEAD); the API behind it has its own throttling and IAM auth, so a WAF web ACL is left to the deployment.',
      },
    );

    // --- sign-in
    this.userPool = new UserPool(this, 'Users', {
      userPoolName: 'lotledger-console',
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      advancedSecurityMode: AdvancedSecurityMode.ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      customAttributes: {},
    });
    const consoleUrl = `https://${this.distribution.distributionDomainName}`;
    this.client = this.userPool.addClient('Console', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${consoleUrl}/`],
        logoutUrls: [`${consoleUrl}/`],
      },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    // The hosted sign-in pages (password, TOTP set-up and challenge, password reset): the app sends users there with the
    // OAuth code flow and PKCE, so it holds no password and needs no Cognito library.
    this.signIn = this.userPool.addDomain('SignIn', { cognitoDomain: { domainPrefix: signInPrefix } });
    this.identityPool = new CfnIdentityPool(this, 'Identities', {
      allowUnauthenticatedIdentities: false,
      cognitoIdentityProviders: [
        { clientId: this.client.userPoolClientId, providerName: this.userPool.userPoolProviderName, serverSideTokenCheck: true },
      ],
    });
    const trust = new FederatedPrincipal(
      'cognito-identity.amazonaws.com',
      {
        StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
      },
      'sts:AssumeRoleWithWebIdentity',
    );
    CONSOLE_GROUPS.forEach((group, i) => {
      const mine = routesFor(group, props.routes);
      const resources = mine.map((r) => this.formatArn({ service: 'execute-api', resource: apiId, resourceName: `$default/${arnPath(r)}` }));
      const role = new Role(this, `${group[0]?.toUpperCase()}${group.slice(1)}Role`, {
        description: `lotledger console: users of the ${group} group`,
        assumedBy: trust,
        maxSessionDuration: Duration.hours(1),
        ...(resources.length > 0
          ? {
              inlinePolicies: {
                api: new PolicyDocument({ statements: [new PolicyStatement({ effect: Effect.ALLOW, actions: ['execute-api:Invoke'], resources })] }),
              },
            }
          : {}),
      });
      // A route with path parameters is a wildcard ARN by nature (GET/lots/*/*): one acknowledgement for each, on this role.
      for (const r of mine.filter((r) => r.path.includes('{'))) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<ApiId>/$default/${arnPath(r)}]`,
          reason: `One route of this API, ${r.method} ${r.path}, its path parameters as *: a route of the ${group} group.`,
        });
      }
      this.roles.set(group, role);
      // Precedence decides for a user in several groups: compliance before quality before store.
      new CfnUserPoolGroup(this, `${group}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        roleArn: role.roleArn,
        precedence: i + 1,
      });
    });
    new CfnIdentityPoolRoleAttachment(this, 'Roles', {
      identityPoolId: this.identityPool.ref,
      roleMappings: {
        console: {
          identityProvider: `${this.userPool.userPoolProviderName}:${this.client.userPoolClientId}`,
          // The role is the group's (cognito:preferred_role); a user in no group gets none.
          type: 'Token',
          ambiguousRoleResolution: 'Deny',
        },
      },
    });

    // --- the web build and its config.json
    this.config = {
      region: Aws.REGION,
      apiUrl: apiOrigin,
      userPoolId: this.userPool.userPoolId,
      userPoolClientId: this.client.userPoolClientId,
      identityPoolId: this.identityPool.ref,
      signInUrl,
    };
    const dist = props.dist ?? WEB_DIST;
    const built = existsSync(join(dist, 'index.html'));
    // Hashed chunks never change under their name: cached for a year, and old ones stay (no prune) for open tabs.
    const site = built
      ? new BucketDeployment(this, 'SiteFiles', {
          sources: [Source.asset(join(dist, 'assets'))],
          destinationBucket: this.bucket,
          destinationKeyPrefix: 'assets/',
          prune: false,
          cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
        })
      : undefined;
    if (!built)
      Annotations.of(this).addWarningV2(
        'lotledger:console-not-built',
        `${dist} has no index.html: only config.json is published. Run \`npm run build:console\` before \`cdk deploy\` to publish the console.`,
      );
    // index.html and config.json are looked at again on every load (no-cache), and CloudFront's copies are invalidated.
    const config = new BucketDeployment(this, 'SiteConfig', {
      sources: [
        ...(built ? [Source.asset(dist, { exclude: ['assets', 'assets/**', 'config.json'] })] : []),
        Source.jsonData('config.json', this.config),
      ],
      destinationBucket: this.bucket,
      prune: false,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
    });
    // Both deployments share one handler: the files are copied before the config is, so config.json never names a build
    // that is not there yet.
    if (site) config.node.addDependency(site);
    this.deployments = { ...(site ? { site } : {}), config };
    this.acknowledgeDeploymentHandler();

    // The outputs are the main stack's, where `cdk deploy` prints them.
    const main = Stack.of(scope);
    new CfnOutput(main, 'ConsoleUrl', { value: consoleUrl });
    new CfnOutput(main, 'ConsoleBucketName', { value: this.bucket.bucketName });
    new CfnOutput(main, 'ConsoleDistributionId', { value: this.distribution.distributionId });
    new CfnOutput(main, 'ConsoleUserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(main, 'ConsoleUserPoolClientId', { value: this.client.userPoolClientId });
    new CfnOutput(main, 'ConsoleIdentityPoolId', { value: this.identityPool.ref });
    new CfnOutput(main, 'ConsoleSignInUrl', { value: signInUrl });
  }

  /** CDK's one deploy-time function that copies the files (BucketDeployment's singleton), run only by CloudFormation. */
  private acknowledgeDeploymentHandler() {
    const handler = this.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) throw new Error("CDK renamed BucketDeployment's handler: move its acknowledgements");
    const why = "CDK's BucketDeployment handler, run only by CloudFormation while deploying, copies the console's files";
    Validations.of(handler).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: `${why}; it has the basic execution role and CDK offers no way to replace it.`,
      },
      { id: 'AwsSolutions-L1', reason: `${why}; its Python runtime is the one CDK ships the handler and the AWS CLI layer for.` },
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${why}: CDK's grant (${action}) on the bootstrap asset bucket and the console bucket only.`,
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        reason: `${why}: it reads the zipped build from the CDK bootstrap asset bucket.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/*]`,
        reason: `${why}: it writes the objects of the console bucket, and only those.`,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${why}: CloudFront's CreateInvalidation and GetInvalidation take no resource narrower than * in CDK's grant.`,
      },
    );
  }
}

/** The sign-in domain's prefix from context, or `lotledger-<account id>` (unique per account and region). */
export function signInPrefixOf(scope: Construct): string {
  const raw: unknown = scope.node.tryGetContext(SIGN_IN_PREFIX_CONTEXT);
  if (raw === undefined) return `lotledger-${Aws.ACCOUNT_ID}`;
  // Cognito's rule for a prefix: lower-case letters, digits and hyphens, not starting or ending with one; no aws, amazon or cognito.
  if (typeof raw !== 'string' || !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(raw) || /aws|amazon|cognito/.test(raw))
    throw new Error(`${SIGN_IN_PREFIX_CONTEXT} must be 1-63 lower-case letters, digits and hyphens, without aws, amazon or cognito`);
  return raw;
}
