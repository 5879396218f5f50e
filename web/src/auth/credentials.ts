/**
 * IAM credentials for a signed-in user from the identity pool: GetId, then GetCredentialsForIdentity with the ID
 * token. The pool maps the token's group (cognito:preferred_role) to that group's role (infra/console.ts). Two JSON
 * calls that need no signature, made with fetch rather than the SDK's client.
 */
import type { ConsoleConfig } from '../lib/config';

export type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string /** ms since epoch */; expiresAt: number };

export class CredentialsError extends Error {
  override name = 'CredentialsError';
}

async function call<T>(config: ConsoleConfig, action: string, body: unknown, fetchImpl: typeof fetch): Promise<T> {
  let r: Response;
  try {
    r = await fetchImpl(`https://cognito-identity.${config.region}.amazonaws.com/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityService.${action}` },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new CredentialsError(`The identity pool could not be reached (${e instanceof Error ? e.message : String(e)})`);
  }
  const answer = (await r.json().catch(() => ({}))) as T & { __type?: string; message?: string };
  if (!r.ok) {
    const type = answer.__type?.split('#').pop() ?? `HTTP ${r.status}`;
    // A user in no group has no role: the pool's role mapping denies (AmbiguousRoleResolution: Deny).
    const hint = /InvalidIdentityPoolConfiguration|NotAuthorized/.test(type) ? ' (is your account in the compliance, quality or store group?)' : '';
    throw new CredentialsError(`The identity pool refused credentials: ${type}${answer.message ? `: ${answer.message}` : ''}${hint}`);
  }
  return answer;
}

/** The identity pool's login key for the console's user pool. */
export const loginKey = (config: ConsoleConfig) => `cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`;

export async function credentialsFor(config: ConsoleConfig, idToken: string, fetchImpl: typeof fetch): Promise<Credentials> {
  const Logins = { [loginKey(config)]: idToken };
  const { IdentityId } = await call<{ IdentityId?: string }>(config, 'GetId', { IdentityPoolId: config.identityPoolId, Logins }, fetchImpl);
  if (!IdentityId) throw new CredentialsError('The identity pool answered without an identity');
  const { Credentials: c } = await call<{
    Credentials?: { AccessKeyId?: string; SecretKey?: string; SessionToken?: string; Expiration?: number };
  }>(config, 'GetCredentialsForIdentity', { IdentityId, Logins }, fetchImpl);
  if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken) throw new CredentialsError('The identity pool answered without credentials');
  // Expiration is in epoch seconds (the JSON protocol's timestamp)
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretKey, sessionToken: c.SessionToken, expiresAt: (c.Expiration ?? 0) * 1000 };
}
