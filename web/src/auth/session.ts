/**
 * The console's sign-in, loaded only when config.json names a user pool: finish a sign-in coming back from Cognito,
 * or pick up this tab's tokens; then a fetch that signs with the group's IAM credentials, refreshed before they end.
 */
import type { ConsoleConfig } from '../lib/config';
import { type Credentials, credentialsFor } from './credentials';
import {
  authorizeUrl,
  claimsOf,
  completeSignIn,
  forgetTokens,
  type KeyValue,
  loadTokens,
  logoutUrl,
  refreshTokens,
  SignInError,
  type Tokens,
} from './oauth';
import { signingFetch } from './signer';

/** Renew tokens and credentials this long before they end, so no request goes out with ones about to lapse. */
const MARGIN_MS = 2 * 60_000;

export type SessionEnv = {
  storage: KeyValue;
  fetch: typeof fetch;
  /** the page's address now */
  url: () => URL;
  /** replace the address without loading (history.replaceState) */
  replace: (path: string) => void;
  /** load another page (the hosted sign-in or sign-out page) */
  go: (url: string) => void;
  now: () => number;
};

export const browserEnv = (): SessionEnv => ({
  storage: sessionStorage,
  fetch: (input, init) => fetch(input, init),
  url: () => new URL(location.href),
  replace: (path) => history.replaceState(null, '', path),
  go: (url) => location.assign(url),
  now: () => Date.now(),
});

export type Session =
  | { kind: 'signed-in'; user: string; groups: string[]; fetch: typeof fetch; signOut: () => void }
  | { kind: 'signed-out'; error?: string; signIn: () => Promise<void>; signOut: () => void };

export async function startSession(config: ConsoleConfig, env: SessionEnv = browserEnv()): Promise<Session> {
  const here = env.url();
  const signIn = async () => {
    const now = env.url();
    env.go(await authorizeUrl(config, now.origin, `${now.pathname}${now.search}${now.hash}`, env.storage));
  };
  const signOut = () => {
    forgetTokens(env.storage);
    env.go(logoutUrl(config, here.origin));
  };
  const out = (error?: string): Session => ({ kind: 'signed-out', ...(error ? { error } : {}), signIn, signOut });

  let tokens: Tokens | null;
  try {
    const done = await completeSignIn(config, here, env.storage, env.fetch, env.now());
    if (done) env.replace(done.returnTo);
    tokens = done?.tokens ?? loadTokens(env.storage);
    if (tokens && tokens.expiresAt - MARGIN_MS <= env.now()) tokens = await refreshTokens(config, tokens, env.storage, env.fetch, env.now());
  } catch (e) {
    if (here.searchParams.has('code') || here.searchParams.has('error')) env.replace('/');
    forgetTokens(env.storage);
    return out(e instanceof Error ? e.message : String(e));
  }
  if (!tokens) return out();

  const { email, groups } = claimsOf(tokens.idToken);
  if (groups.length === 0)
    return out(`${email ?? 'This account'} is in none of the console's groups (compliance, quality, store): ask an administrator to add it to one.`);

  let current: Tokens = tokens;
  let creds: Promise<Credentials> | null = null;
  let credsEnd = 0;
  const credentials = async (): Promise<Credentials> => {
    if (creds && credsEnd - MARGIN_MS > env.now()) return creds;
    if (current.expiresAt - MARGIN_MS <= env.now()) current = await refreshTokens(config, current, env.storage, env.fetch, env.now());
    creds = credentialsFor(config, current.idToken, env.fetch);
    try {
      credsEnd = (await creds).expiresAt;
    } catch (e) {
      creds = null;
      throw e;
    }
    return creds;
  };
  // The first credentials now: a user whose group has no role, or a refused token, learns it on the sign-in page.
  try {
    await credentials();
  } catch (e) {
    return out(e instanceof Error ? e.message : String(e));
  }
  return { kind: 'signed-in', user: email ?? 'signed in', groups, fetch: signingFetch(config.region, credentials, env.fetch), signOut };
}

export { SignInError };
