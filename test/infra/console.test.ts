import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routesFor } from '../../infra/console.js';
import { ROUTES } from '../../infra/routes.js';
import { lotledgerApp } from './lotledger-app.js';

const { stack } = lotledgerApp();
const t = Template.fromStack(stack);
const resolve = (v: unknown) => JSON.stringify(stack.resolve(v));

describe('the console in the cloud', () => {
  it('keeps its files in a private bucket that only the distribution reads, through origin access control', () => {
    const bucket = stack.console.bucket;
    const cfn = t.toJSON().Resources[stack.getLogicalId(bucket.node.defaultChild as never)];
    expect(cfn.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const policies = t.findResources('AWS::S3::BucketPolicy');
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
      const cfn = t.toJSON().Resources[stack.getLogicalId(role?.node.defaultChild as never)];
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
    for (const r of Object.values(t.findResources('AWS::ApiGatewayV2::Route')))
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
