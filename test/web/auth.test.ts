// @vitest-environment happy-dom
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { credentialsFor, loginKey } from '../../web/src/auth/credentials.js';
import { authorizeUrl, base64url, claimsOf, completeSignIn, logoutUrl, pkcePair } from '../../web/src/auth/oauth.js';
import { type SessionEnv, startSession } from '../../web/src/auth/session.js';
import { signingFetch } from '../../web/src/auth/signer.js';
import { mayManage } from '../../web/src/lib/access.js';
import { parseConfig } from '../../web/src/lib/config.js';

const CONFIG = {
  region: 'eu-west-1',
  apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
  userPoolId: 'eu-west-1_Pool',
  userPoolClientId: 'client-1',
  identityPoolId: 'eu-west-1:ident-1',
  signInUrl: 'https://lotledger-1.auth.eu-west-1.amazoncognito.com',
};
const ORIGIN = 'https://d111.cloudfront.net';
const NOW = Date.parse('2026-12-02T10:00:00Z');

const memory = () => {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    m,
  };
};
/** An unsigned JWT with these claims (the console reads claims; Cognito's signature is the identity pool's to check). */
const jwt = (claims: Record<string, unknown>) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A fake Cognito: the token endpoint and the identity pool, recording each call. */
function cognito(opts: { groups?: string[]; tokenStatus?: number; identityType?: string } = {}) {
  const calls: { url: string; target?: string; body: string }[] = [];
  const idToken = jwt({ email: 'q@firm.example', 'cognito:groups': opts.groups ?? ['quality'], exp: NOW / 1000 + 3600 });
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const target = new Headers(init?.headers).get('x-amz-target') ?? undefined;
    calls.push({ url, ...(target ? { target } : {}), body: String(init?.body ?? '') });
    if (url === `${CONFIG.signInUrl}/oauth2/token`)
      return opts.tokenStatus
        ? json({ error: 'invalid_grant' }, opts.tokenStatus)
        : json({ id_token: idToken, refresh_token: 'refresh-1', expires_in: 3600 });
    if (opts.identityType) return json({ __type: `com.amazonaws#${opts.identityType}`, message: 'no role' }, 400);
    if (target?.endsWith('GetId')) return json({ IdentityId: 'eu-west-1:id-9' });
    if (target?.endsWith('GetCredentialsForIdentity'))
      return json({
        IdentityId: 'eu-west-1:id-9',
        Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretKey: 'secret', SessionToken: 'session-token', Expiration: NOW / 1000 + 3600 },
      });
    return json({ message: 'unexpected' }, 500);
  });
  return { calls, fetchImpl: fetchImpl as unknown as typeof fetch, idToken };
}

function env(url: string, fetchImpl: typeof fetch, storage = memory()) {
  const went: string[] = [];
  const replaced: string[] = [];
  const e: SessionEnv = {
    storage,
    fetch: fetchImpl,
    url: () => new URL(url),
    replace: (p) => void replaced.push(p),
    go: (u) => void went.push(u),
    now: () => NOW,
  };
  return { e, went, replaced, storage };
}

describe('config.json', () => {
  it('names a user pool (cloud) or nothing (local); a half-filled one is an error naming the fields', () => {
    expect(parseConfig(CONFIG)).toEqual(CONFIG);
    expect(parseConfig({})).toBeNull();
    expect(parseConfig('<!doctype html>')).toBeNull();
    expect(() => parseConfig({ userPoolId: 'p', region: 'eu-west-1' })).toThrow(/apiUrl, userPoolClientId, identityPoolId, signInUrl/);
    expect(() => parseConfig({ ...CONFIG, apiUrl: 'http://x' })).toThrow(/apiUrl must be an https/);
  });
});

describe('OAuth code flow with PKCE', () => {
  it('derives the S256 challenge from the verifier', async () => {
    const { verifier, challenge } = await pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8');
  });

  it('sends the user to the hosted page with the client, the callback, a state and the challenge; then exchanges the code with the verifier', async () => {
    // Prepare
    const storage = memory();
    const { calls, fetchImpl } = cognito();
    // Act
    const url = new URL(await authorizeUrl(CONFIG, ORIGIN, '/console/recalls', storage));
    const state = url.searchParams.get('state') ?? '';
    const done = await completeSignIn(CONFIG, new URL(`${ORIGIN}/?code=the-code&state=${state}`), storage, fetchImpl, NOW);
    // Assess
    expect(`${url.origin}${url.pathname}`).toBe(`${CONFIG.signInUrl}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: `${ORIGIN}/`,
      code_challenge_method: 'S256',
    });
    const form = new URLSearchParams(calls[0]?.body);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code')).toBe('the-code');
    expect(
      createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url'),
    ).toBe(url.searchParams.get('code_challenge'));
    expect(done?.returnTo).toBe('/console/recalls');
    expect(done?.tokens.refreshToken).toBe('refresh-1');
  });

  it('refuses an answer this tab did not ask for (state), and exchanges nothing', async () => {
    const storage = memory();
    const { calls, fetchImpl } = cognito();
    await authorizeUrl(CONFIG, ORIGIN, '/', storage);
    await expect(completeSignIn(CONFIG, new URL(`${ORIGIN}/?code=c&state=forged`), storage, fetchImpl, NOW)).rejects.toThrow(/state does not match/);
    expect(calls).toHaveLength(0);
  });

  it('reads the email and groups from the ID token, and signs out through Cognito back to the console', () => {
    expect(claimsOf(jwt({ email: 'a@b', 'cognito:groups': ['store'], exp: 10 }))).toEqual({ email: 'a@b', groups: ['store'], expiresAt: 10_000 });
    expect(claimsOf(jwt({})).groups).toEqual([]);
    const out = new URL(logoutUrl(CONFIG, ORIGIN));
    expect(out.pathname).toBe('/logout');
    expect(out.searchParams.get('logout_uri')).toBe(`${ORIGIN}/`);
  });
});

describe('identity pool credentials', () => {
  it('gets an identity and its credentials with the ID token under the user pool login key', async () => {
    const { calls, fetchImpl, idToken } = cognito();
    const c = await credentialsFor(CONFIG, idToken, fetchImpl);
    expect(calls.map((x) => x.target)).toEqual(['AWSCognitoIdentityService.GetId', 'AWSCognitoIdentityService.GetCredentialsForIdentity']);
    expect(calls.every((x) => x.url === 'https://cognito-identity.eu-west-1.amazonaws.com/')).toBe(true);
    expect(JSON.parse(calls[0]?.body ?? '{}')).toEqual({ IdentityPoolId: 'eu-west-1:ident-1', Logins: { [loginKey(CONFIG)]: idToken } });
    expect(loginKey(CONFIG)).toBe('cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool');
    expect(c).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token', expiresAt: NOW + 3_600_000 });
  });
});

describe('the session', () => {
  it('signed out with no tokens: signing in stores a verifier and goes to the hosted page', async () => {
    const { fetchImpl } = cognito();
    const { e, went, storage } = env(`${ORIGIN}/console/expiry`, fetchImpl);
    const s = await startSession(CONFIG, e);
    expect(s.kind).toBe('signed-out');
    if (s.kind !== 'signed-out') return;
    await s.signIn();
    expect(went[0]).toContain(`${CONFIG.signInUrl}/oauth2/authorize?`);
    expect([...storage.m.keys()]).toContain('lotledger.signIn.pending');
  });

  it('back from Cognito: signed in as the token’s groups, the address cleaned, the API fetch signed; sign-out forgets the tokens', async () => {
    // Prepare
    const storage = memory();
    const url = new URL(await authorizeUrl(CONFIG, ORIGIN, '/console/recalls/R-1', storage));
    const { fetchImpl, calls } = cognito({ groups: ['store'] });
    const { e, replaced, went } = env(`${ORIGIN}/?code=c1&state=${url.searchParams.get('state')}`, fetchImpl, storage);
    // Act
    const s = await startSession(CONFIG, e);
    // Assess
    expect(s).toMatchObject({ kind: 'signed-in', user: 'q@firm.example', groups: ['store'] });
    expect(replaced).toEqual(['/console/recalls/R-1']);
    expect(mayManage(['store'])).toBe(false);
    expect(mayManage(['store', 'quality'])).toBe(true);
    if (s.kind !== 'signed-in') return;
    await s.fetch(`${CONFIG.apiUrl}/recalls/R-1`);
    const api = calls.at(-1);
    expect(api?.url).toBe(`${CONFIG.apiUrl}/recalls/R-1`);
    const sent = (fetchImpl as unknown as ReturnType<typeof vi.fn>).mock.calls.at(-1)?.[1] as RequestInit;
    expect((sent.headers as Record<string, string>)['x-amz-security-token']).toBe('session-token');
    // credentials are fetched once, not per request
    expect(calls.filter((c) => c.target?.endsWith('GetCredentialsForIdentity'))).toHaveLength(1);
    s.signOut();
    expect(storage.m.has('lotledger.signIn.tokens')).toBe(false);
    expect(went.at(-1)).toContain('/logout?');
  });

  it('an account in no group is told so and is not signed in', async () => {
    const storage = memory();
    const url = new URL(await authorizeUrl(CONFIG, ORIGIN, '/', storage));
    const { fetchImpl } = cognito({ groups: [] });
    const { e } = env(`${ORIGIN}/?code=c1&state=${url.searchParams.get('state')}`, fetchImpl, storage);
    const s = await startSession(CONFIG, e);
    expect(s).toMatchObject({ kind: 'signed-out', error: expect.stringMatching(/none of the console's groups/) });
  });

  it('a refused code or refused credentials come back as words on the sign-in page', async () => {
    const storage = memory();
    const url = new URL(await authorizeUrl(CONFIG, ORIGIN, '/', storage));
    const refused = await startSession(
      CONFIG,
      env(`${ORIGIN}/?code=c&state=${url.searchParams.get('state')}`, cognito({ tokenStatus: 400 }).fetchImpl, storage).e,
    );
    expect(refused).toMatchObject({ kind: 'signed-out', error: expect.stringMatching(/invalid_grant/) });
    const storage2 = memory();
    const url2 = new URL(await authorizeUrl(CONFIG, ORIGIN, '/', storage2));
    const noRole = await startSession(
      CONFIG,
      env(
        `${ORIGIN}/?code=c&state=${url2.searchParams.get('state')}`,
        cognito({ identityType: 'InvalidIdentityPoolConfigurationException' }).fetchImpl,
        storage2,
      ).e,
    );
    expect(noRole).toMatchObject({ kind: 'signed-out', error: expect.stringMatching(/compliance, quality or store group/) });
  });
});

/** SigV4 written out from the specification with node:crypto, to check the signer against. */
function expectedSignature(o: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
  amzDate: string;
  region: string;
  secret: string;
}) {
  const signed = Object.keys(o.headers).sort();
  const canonicalHeaders = signed.map((k) => `${k}:${o.headers[k]?.trim()}\n`).join('');
  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const path = o.url.pathname.split('/').map(encode).join('/');
  const query = [...o.url.searchParams]
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  const canonical = [o.method, path, query, canonicalHeaders, signed.join(';'), hash(o.body)].join('\n');
  const day = o.amzDate.slice(0, 8);
  const scope = `${day}/${o.region}/execute-api/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', o.amzDate, scope, hash(canonical)].join('\n');
  const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${o.secret}`, day), o.region), 'execute-api'), 'aws4_request');
  return { signature: createHmac('sha256', key).update(toSign).digest('hex'), signedHeaders: signed.join(';'), scope };
}

describe('the SigV4 signer', () => {
  it('signs a request with Authorization and X-Amz-Security-Token, as the specification computes it', async () => {
    // Prepare
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    const sent: RequestInit[] = [];
    const f = signingFetch(
      'eu-west-1',
      async () => ({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token', expiresAt: NOW + 3_600_000 }),
      (async (_u: RequestInfo | URL, init?: RequestInit) => {
        sent.push(init ?? {});
        return json({});
      }) as typeof fetch,
    );
    const url = new URL(`${CONFIG.apiUrl}/lots/00614141000012/A%2FB?direction=forward&limit=5`);
    const body = JSON.stringify({ reason: 'Listeria' });
    // Act
    await f(url.toString(), { method: 'POST', headers: { 'content-type': 'application/json', 'Idempotency-Key': 'k-1' }, body });
    vi.useRealTimers();
    // Assess
    const h = sent[0]?.headers as Record<string, string>;
    expect(h['x-amz-security-token']).toBe('session-token');
    expect(h['x-amz-date']).toBe('20261202T100000Z');
    expect(h.host).toBeUndefined(); // the browser sets Host itself
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json', 'idempotency-key': 'k-1' };
    for (const k of ['x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']) if (h[k]) headers[k] = h[k];
    const want = expectedSignature({ method: 'POST', url, headers, body, amzDate: '20261202T100000Z', region: 'eu-west-1', secret: 'secret' });
    expect(h.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/${want.scope}, SignedHeaders=${want.signedHeaders}, Signature=${want.signature}`,
    );
    expect(sent[0]?.body).toBe(body);
  });
});
