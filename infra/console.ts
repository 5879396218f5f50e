import { Aws, type CfnElement, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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
} from 'aws-cdk-lib/aws-cognito';
import { Effect, FederatedPrincipal, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
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

export type ConsoleProps = {
  api: HttpApi;
  routes: readonly Route[];
  /** the bucket that receives the other buckets' server access logs */
  accessLogs: Bucket;
};

/**
 * The console in the cloud: its built files (web/dist) in a private S3 bucket that only CloudFront reads, through
 * origin access control; HTTPS only, with security headers; sign-in by a Cognito user pool whose groups (compliance,
 * quality, store) map, through an identity pool, to IAM roles that may invoke only their routes of the HTTP API. The API
 * keeps IAM auth: machine clients sign with their own credentials, console users with their group role's.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly identityPool: CfnIdentityPool;
  readonly roles = new Map<ConsoleGroup, Role>();

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
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

    const apiOrigin = `https://${props.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'lotledger console: security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            "img-src 'self' data: blob:",
            "style-src 'self' 'unsafe-inline'",
            "script-src 'self'",
            `connect-src 'self' ${apiOrigin} https://cognito-idp.${Aws.REGION}.amazonaws.com https://cognito-identity.${Aws.REGION}.amazonaws.com`,
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
    this.identityPool = new CfnIdentityPool(this, 'Identities', {
      allowUnauthenticatedIdentities: false,
      cognitoIdentityProviders: [
        { clientId: this.client.userPoolClientId, providerName: this.userPool.userPoolProviderName, serverSideTokenCheck: true },
      ],
    });
    const stack = Stack.of(this);
    const trust = new FederatedPrincipal(
      'cognito-identity.amazonaws.com',
      {
        StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
      },
      'sts:AssumeRoleWithWebIdentity',
    );
    const apiCfn = props.api.node.defaultChild as CfnElement;
    const apiRef = `<${stack.getLogicalId(apiCfn)}>`;
    CONSOLE_GROUPS.forEach((group, i) => {
      const mine = routesFor(group, props.routes);
      const resources = mine.map((r) =>
        stack.formatArn({ service: 'execute-api', resource: props.api.apiId, resourceName: `$default/${arnPath(r)}` }),
      );
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
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:${apiRef}/$default/${arnPath(r)}]`,
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

    new CfnOutput(stack, 'ConsoleUrl', { value: consoleUrl });
    new CfnOutput(stack, 'ConsoleBucketName', { value: this.bucket.bucketName, description: 'aws s3 sync web/dist s3://<this> --delete' });
    new CfnOutput(stack, 'ConsoleDistributionId', { value: this.distribution.distributionId });
    new CfnOutput(stack, 'ConsoleUserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(stack, 'ConsoleUserPoolClientId', { value: this.client.userPoolClientId });
    new CfnOutput(stack, 'ConsoleIdentityPoolId', { value: this.identityPool.ref });
  }
}
