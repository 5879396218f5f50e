/**
 * Sign-in through Cognito's hosted pages with the OAuth 2.0 authorization code flow and PKCE (RFC 7636): the console
 * holds no password and no client secret, and needs no Cognito library. The hosted pages do the password, the TOTP
 * set-up and challenge (the pool requires MFA) and password reset.
 */
import type { ConsoleConfig } from '../lib/config';

/** What the app keeps between page loads (sessionStorage: gone with the tab). */
export type Tokens = { idToken: string; refreshToken?: string /** ms since epoch */; expiresAt: number };
export type Claims = { email?: string; groups: string[] /** ms since epoch */; expiresAt: number };

/** The storage the module uses: sessionStorage in the browser, a Map in tests. */
export type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const PENDING = 'lotledger.signIn.pending';
const TOKENS = 'lotledger.signIn.tokens';

export const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomString = (n: number) => base64url(crypto.getRandomValues(new Uint8Array(n)));

/** A PKCE verifier (43 characters of 32 random bytes) and its S256 challenge. */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomString(32);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

/** The console's address Cognito sends users back to: its root, as the stack registers it (callback and logout URL). */
export const redirectUriOf = (origin: string) => `${origin}/`;

/**
 * The hosted sign-in page's address, with a fresh state and PKCE challenge; the verifier, the state and the page to
 * come back to are kept in storage for `completeSignIn`.
 */
export async function authorizeUrl(config: ConsoleConfig, origin: string, returnTo: string, storage: KeyValue): Promise<string> {
  const { verifier, challenge } = await pkcePair();
  const state = randomString(16);
  storage.setItem(PENDING, JSON.stringify({ state, verifier, returnTo }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: config.userPoolClientId,
    redirect_uri: redirectUriOf(origin),
    scope: 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return `${config.signInUrl}/oauth2/authorize?${q}`;
}

export class SignInError extends Error {
  override name = 'SignInError';
}

type TokenAnswer = { id_token?: string; refresh_token?: string; expires_in?: number; error?: string; error_description?: string };

async function tokenRequest(config: ConsoleConfig, form: Record<string, string>, fetchImpl: typeof fetch, now: number): Promise<Tokens> {
  let r: Response;
  try {
    r = await fetchImpl(`${config.signInUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  } catch (e) {
    throw new SignInError(`Cognito could not be reached (${e instanceof Error ? e.message : String(e)})`);
  }
  const body = (await r.json().catch(() => ({}))) as TokenAnswer;
  if (!r.ok || !body.id_token) throw new SignInError(`Cognito refused the sign-in: ${body.error_description ?? body.error ?? `HTTP ${r.status}`}`);
  return {
    idToken: body.id_token,
    ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}),
    expiresAt: claimsOf(body.id_token).expiresAt || now + (body.expires_in ?? 3600) * 1000,
  };
}

/**
 * Finish a sign-in on the page Cognito sent the user back to (`/?code=...&state=...`): the state must be the one this
 * tab sent, the code is exchanged with the verifier. Null when the address is no sign-in answer.
 * @returns the tokens (also kept in storage) and the page the user was on before
 */
export async function completeSignIn(
  config: ConsoleConfig,
  url: URL,
  storage: KeyValue,
  fetchImpl: typeof fetch,
  now = Date.now(),
): Promise<{ tokens: Tokens; returnTo: string } | null> {
  const code = url.searchParams.get('code');
  const error = url.searchParams.get('error');
  if (!code && !error) return null;
  const raw = storage.getItem(PENDING);
  storage.removeItem(PENDING);
  const pending = raw ? (JSON.parse(raw) as { state: string; verifier: string; returnTo: string }) : null;
  if (!pending || pending.state !== url.searchParams.get('state'))
    throw new SignInError('This sign-in answer was not asked for by this tab (state does not match): sign in again.');
  if (error) throw new SignInError(`Cognito refused the sign-in: ${url.searchParams.get('error_description') ?? error}`);
  const tokens = await tokenRequest(
    config,
    {
      grant_type: 'authorization_code',
      client_id: config.userPoolClientId,
      code: code as string,
      redirect_uri: redirectUriOf(url.origin),
      code_verifier: pending.verifier,
    },
    fetchImpl,
    now,
  );
  saveTokens(storage, tokens);
  return { tokens, returnTo: pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') ? pending.returnTo : '/' };
}

/** New tokens from the refresh token (the refresh answer has none of its own: the old one is kept). */
export async function refreshTokens(config: ConsoleConfig, tokens: Tokens, storage: KeyValue, fetchImpl: typeof fetch, now = Date.now()) {
  if (!tokens.refreshToken) throw new SignInError('The sign-in has expired: sign in again.');
  const next = await tokenRequest(
    config,
    { grant_type: 'refresh_token', client_id: config.userPoolClientId, refresh_token: tokens.refreshToken },
    fetchImpl,
    now,
  );
  const kept = { ...next, refreshToken: next.refreshToken ?? tokens.refreshToken };
  saveTokens(storage, kept);
  return kept;
}

export function saveTokens(storage: KeyValue, tokens: Tokens) {
  storage.setItem(TOKENS, JSON.stringify(tokens));
}

export function loadTokens(storage: KeyValue): Tokens | null {
  const raw = storage.getItem(TOKENS);
  if (!raw) return null;
  try {
    const t = JSON.parse(raw) as Partial<Tokens>;
    return typeof t.idToken === 'string' && typeof t.expiresAt === 'number' ? (t as Tokens) : null;
  } catch {
    return null;
  }
}

export const forgetTokens = (storage: KeyValue) => storage.removeItem(TOKENS);

/**
 * The ID token's claims the console uses: the email and `cognito:groups`. Read, not verified: the identity pool checks
 * the token (server-side token check) before it gives credentials, and the API checks the credentials' signature.
 */
export function claimsOf(idToken: string): Claims {
  const part = idToken.split('.')[1];
  if (!part) throw new SignInError('Cognito answered with a malformed ID token');
  const json = new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
  const p = JSON.parse(json) as { email?: unknown; 'cognito:groups'?: unknown; exp?: unknown };
  return {
    ...(typeof p.email === 'string' ? { email: p.email } : {}),
    groups: Array.isArray(p['cognito:groups']) ? p['cognito:groups'].filter((g): g is string => typeof g === 'string') : [],
    expiresAt: typeof p.exp === 'number' ? p.exp * 1000 : 0,
  };
}

/** Cognito's sign-out page, which ends its own session too and sends the user back to the console. */
export const logoutUrl = (config: ConsoleConfig, origin: string) =>
  `${config.signInUrl}/logout?${new URLSearchParams({ client_id: config.userPoolClientId, logout_uri: redirectUriOf(origin) })}`;
