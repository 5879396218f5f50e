import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routesFor, SIGN_IN_PREFIX_CONTEXT } from '../../infra/console.js';
import { ROUTES } from '../../infra/routes.js';
import { lotledgerApp } from './lotledger-app.js';

// A built console (what `npm run build:console` leaves in web/dist), so the test does not depend on the working tree.
const dist = mkdtempSync(join(tmpdir(), 'lotledger-dist-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>');
writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');

const { stack } = lotledgerApp({}, { consoleDist: dist });
const nested = stack.console;
/** the console's own template (a nested stack) and the main stack's */
const t = Template.fromStack(nested);
const main = Template.fromStack(stack);
const resolve = (v: unknown) => JSON.stringify(nested.resolve(v));
const count = (tpl: Template) => Object.keys(tpl.toJSON().Resources).length;

describe('the console is a nested stack of its own', () => {
  it('holds CloudFront, the site bucket, Cognito, the identity pool and the group roles; the main stack none of them', () => {
    expect(NestedStack.isNestedStack(nested)).toBe(true);
    for (const type of [
      'AWS::CloudFront::Distribution',
      'AWS::CloudFront::OriginAccessControl',
      'AWS::CloudFront::ResponseHeadersPolicy',
      'AWS::Cognito::UserPool',
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolDomain',
      'AWS::Cognito::IdentityPool',
      'AWS::Cognito::IdentityPoolRoleAttachment',
    ]) {
      t.resourceCountIs(type, 1);
      main.resourceCountIs(type, 0);
    }
    t.resourceCountIs('AWS::Cognito::UserPoolGroup', 3);
    main.resourceCountIs('AWS::CloudFormation::Stack', 1);
    for (const r of nested.roles.values()) expect(Stack.of(r)).toBe(nested);
  });

  it('leaves the main stack under CloudFormation’s 500 resources, with room for new routes (474 with the console inside it)', () => {
    const n = count(main);
    console.log(`main stack: ${n} resources; console nested stack: ${count(t)}`);
    // 20 resources is about three routes (function, role, policy, log group, route, integration, permission each):
    // a change that eats into that margin should move more of the stack out (the jobs are next), not raise this line.
    expect(n, 'the main stack is within 20 resources of CloudFormation’s 500').toBeLessThanOrEqual(480);
    // The console's own resources all left: its bucket, CDN logs bucket and their policies, CloudFront, Cognito, roles.
    const moved = ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::IAM::Role', 'AWS::Cognito::UserPoolGroup'].map(
      (type) => Object.keys(t.findResources(type)).length,
    );
    expect(moved).toEqual([2, 2, 4, 3]); // the roles: the three groups' and the deployment handler's
    expect(count(t)).toBeLessThan(100);
  });

  it('takes the API id as its one parameter, from the main stack', () => {
    expect(Object.keys(t.toJSON().Parameters ?? {}).filter((p) => !p.startsWith('BootstrapVersion'))).toContain('ApiId');
    const [, cfn] = Object.entries(main.findResources('AWS::CloudFormation::Stack'))[0] ?? [];
    expect(JSON.stringify(cfn?.Properties.Parameters.ApiId)).toContain(stack.getLogicalId(stack.api.node.defaultChild as CfnElement));
  });

  it('prints its addresses and ids as the main stack’s outputs', () => {
    const outputs = Object.keys(main.toJSON().Outputs);
    for (const o of ['ConsoleUrl', 'ConsoleBucketName', 'ConsoleUserPoolId', 'ConsoleUserPoolClientId', 'ConsoleIdentityPoolId', 'ConsoleSignInUrl'])
      expect(outputs).toContain(o);
  });
});

describe('publishing the web build', () => {
  const deployments = () => Object.values(t.findResources('Custom::CDKBucketDeployment')).map((d) => d.Properties);

  it('copies web/dist into the site bucket: hashed assets cached a year, index.html and config.json revalidated and invalidated', () => {
    const [site, config] = [nested.deployments.site, nested.deployments.config];
    expect(site).toBeDefined();
    const props = deployments();
    expect(props).toHaveLength(2);
    const assets = props.find((p) => p.DestinationBucketKeyPrefix === 'assets/');
    expect(assets?.SystemMetadata['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(assets?.Prune).toBe(false);
    const root = props.find((p) => p.DestinationBucketKeyPrefix === undefined);
    expect(root?.SystemMetadata['cache-control']).toBe('no-cache');
    expect(root?.DistributionPaths).toEqual(['/index.html', '/config.json']);
    expect(resolve(root?.DestinationBucketName)).toBe(resolve(nested.bucket.bucketName));
    expect(config?.node.dependencies).toContain(site);
  });

  it('writes config.json with the region, API URL, user pool, client, identity pool and sign-in address', () => {
    const root = deployments().find((p) => p.DestinationBucketKeyPrefix === undefined);
    const markers = JSON.stringify(root?.SourceMarkers);
    // Deploy-time values travel as markers substituted by the handler: each of the config's tokens is one.
    for (const v of [nested.userPool.userPoolId, nested.client.userPoolClientId, nested.identityPool.ref]) expect(markers).toContain(resolve(v));
    expect(markers).toContain('ApiId');
    expect(Object.keys(nested.config).sort()).toEqual(['apiUrl', 'identityPoolId', 'region', 'signInUrl', 'userPoolClientId', 'userPoolId']);
  });

  it('without a build, still synthesizes: publishes config.json only and says so at synth time', () => {
    // Prepare
    const empty = mkdtempSync(join(tmpdir(), 'lotledger-nodist-'));
    // Act
    const other = lotledgerApp({}, { routes: [], jobs: [], consoleDist: empty });
    // Assess
    expect(other.stack.console.deployments.site).toBeUndefined();
    Template.fromStack(other.stack.console).resourceCountIs('Custom::CDKBucketDeployment', 1);
    Annotations.fromStack(other.stack).hasWarning('*', Match.stringLikeRegexp('npm run build:console'));
  });
});

describe('signing in', () => {
  it('has a hosted sign-in domain and a public client with the code flow back to the console', () => {
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      GenerateSecret: false,
      AllowedOAuthScopes: Match.arrayWith(['openid']),
    });
    const [domain] = Object.values(t.findResources('AWS::Cognito::UserPoolDomain'));
    expect(resolve(domain?.Properties.Domain)).toContain('lotledger-');
    const [policy] = Object.values(t.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const csp = resolve(policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain('.amazoncognito.com');
    expect(csp).toContain('https://cognito-identity.');
  });

  it('takes the sign-in prefix from context, and refuses one Cognito would refuse', () => {
    const other = lotledgerApp({ [SIGN_IN_PREFIX_CONTEXT]: 'acme-lots' }, { routes: [], jobs: [] });
    Template.fromStack(other.stack.console).hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-lots' });
    for (const bad of ['Acme', 'my-aws-console', '-x'])
      expect(() => lotledgerApp({ [SIGN_IN_PREFIX_CONTEXT]: bad }, { routes: [], jobs: [] })).toThrow(/consoleSignInPrefix/);
  });

  it('lets the console (another origin) call the API with signed requests: CORS without credentials', () => {
    main.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['*'],
        AllowHeaders: Match.arrayWith(['authorization', 'idempotency-key', 'x-amz-date', 'x-amz-security-token']),
      },
    });
    const [api] = Object.values(main.findResources('AWS::ApiGatewayV2::Api'));
    expect(api?.Properties.CorsConfiguration.AllowCredentials).toBeUndefined();
  });
});

describe('the console in the cloud', () => {
  it('keeps its files in a private bucket that only the distribution reads, through origin access control', () => {
    const bucket = stack.console.bucket;
    const cfn = t.toJSON().Resources[nested.getLogicalId(bucket.node.defaultChild as never)];
    expect(cfn.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const policies = t.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    const own = Object.values(policies).find((p) => resolve(p.Properties.Bucket) === resolve(bucket.bucketName));
    const statements = (own?.Properties.PolicyDocument.Statement ?? []) as {
      Principal?: { Service?: string };
      Action: string | string[];
      Condition?: unknown;
    }[];
    const read = statements.find((s) => s.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(read?.Action).toBe('s3:GetObject');
    expect(JSON.stringify(read?.Condition)).toContain('AWS:SourceArn');
    // and no one else is allowed in: the other statements deny plain HTTP and old TLS
    expect(statements.filter((s) => s !== read).every((s) => (s as { Effect?: string }).Effect === 'Deny')).toBe(true);
  });

  it('answers over HTTPS only, with security headers, and serves the app for its client-side addresses', () => {
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: { ViewerProtocolPolicy: 'https-only', AllowedMethods: ['GET', 'HEAD'] },
        CustomErrorResponses: [
          { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html' },
          { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html' },
        ].map((e) => ({ ...e, ErrorCachingMinTTL: 10 })),
        Logging: {},
      },
    });
    const [policy] = Object.values(t.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const h = policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(h.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 730 * 86400, IncludeSubdomains: true, Override: true });
    expect(h.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(h.ContentTypeOptions).toMatchObject({ Override: true });
    expect(resolve(h.ContentSecurityPolicy.ContentSecurityPolicy)).toContain("frame-ancestors 'none'");
    expect(resolve(h.ContentSecurityPolicy.ContentSecurityPolicy)).toContain("script-src 'self'");
  });

  it('signs users in with Cognito (no self sign-up, MFA) and gives each group one role, through an identity pool without guests', () => {
    t.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    t.hasResourceProperties('AWS::Cognito::IdentityPool', { AllowUnauthenticatedIdentities: false });
    t.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      RoleMappings: { console: { Type: 'Token', AmbiguousRoleResolution: 'Deny' } },
    });
    const groups = Object.values(t.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties);
    expect(groups.map((g) => g.GroupName).sort()).toEqual(['compliance', 'quality', 'store']);
    for (const g of groups) expect(resolve(g.RoleArn)).toBe(resolve(stack.console.roles.get(g.GroupName)?.roleArn));
  });

  it('lets only compliance and quality start recalls and exports; store users read and acknowledge', () => {
    const invokable = (group: 'compliance' | 'quality' | 'store') => {
      const role = stack.console.roles.get(group);
      const cfn = t.toJSON().Resources[nested.getLogicalId(role?.node.defaultChild as never)];
      return resolve(cfn.Properties.Policies[0].PolicyDocument.Statement[0].Resource);
    };
    for (const group of ['compliance', 'quality'] as const) {
      expect(invokable(group)).toContain('/$default/POST/recalls"');
      expect(invokable(group)).toContain('/$default/POST/exports"');
    }
    const store = invokable('store');
    expect(store).not.toContain('/$default/POST/recalls"');
    expect(store).not.toContain('/$default/POST/exports"');
    expect(store).toContain('/$default/POST/recalls/*/acknowledgements');
    expect(store).toContain('/$default/GET/lots/*/*');
    // The API itself keeps IAM auth for machine clients: only the contract's public routes (auth: 'none') have none.
    const publicKeys = new Set(ROUTES.filter((r) => r.auth === 'none').map((r) => `${r.method} ${r.path}`));
    for (const r of Object.values(main.findResources('AWS::ApiGatewayV2::Route')))
      expect(r.Properties.AuthorizationType).toBe(publicKeys.has(r.Properties.RouteKey) ? 'NONE' : 'AWS_IAM');
  });

  it('the store rule is a rule over the route list, not a list of its own', () => {
    const store = routesFor('store', ROUTES).map((r) => `${r.method} ${r.path}`);
    expect(store).toContain('POST /recalls/{recallId}/acknowledgements');
    expect(store.filter((r) => !r.startsWith('GET '))).toEqual(expect.arrayContaining(['POST /scans']));
    expect(store.some((r) => /^POST \/(recalls|exports|fda-requests)$/.test(r) || /^PUT /.test(r) || /hold|release/.test(r))).toBe(false);
    expect(routesFor('compliance', ROUTES)).toHaveLength(ROUTES.length);
  });
});
