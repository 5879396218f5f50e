/**
 * The console's deployment settings, read once at start from `/config.json` (written by the stack, infra/console.ts).
 * No file, or one without a user pool, means the local server (`npm start`): the API on the same origin, unsigned.
 */
export type ConsoleConfig = {
  region: string;
  apiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  /** the hosted sign-in pages, `https://<prefix>.auth.<region>.amazoncognito.com` */
  signInUrl: string;
};

const FIELDS = ['region', 'apiUrl', 'userPoolId', 'userPoolClientId', 'identityPoolId', 'signInUrl'] as const;

/** The config if `/config.json` names a user pool; null otherwise (no file, CloudFront's index.html instead, or not JSON). */
export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<ConsoleConfig | null> {
  let body: unknown;
  try {
    const r = await fetchImpl('/config.json', { headers: { accept: 'application/json' }, cache: 'no-cache' });
    if (!r.ok) return null;
    body = await r.json();
  } catch {
    return null;
  }
  return parseConfig(body);
}

/** A config with every field a non-empty string and HTTPS addresses, or null when it names no user pool. */
export function parseConfig(body: unknown): ConsoleConfig | null {
  if (body === null || typeof body !== 'object') return null;
  const o = body as Record<string, unknown>;
  if (typeof o.userPoolId !== 'string' || o.userPoolId === '') return null;
  const missing = FIELDS.filter((f) => typeof o[f] !== 'string' || o[f] === '');
  if (missing.length > 0) throw new Error(`config.json names a user pool but lacks ${missing.join(', ')}`);
  for (const f of ['apiUrl', 'signInUrl'] as const)
    if (!String(o[f]).startsWith('https://')) throw new Error(`config.json: ${f} must be an https:// address`);
  const c = Object.fromEntries(FIELDS.map((f) => [f, String(o[f])])) as ConsoleConfig;
  return { ...c, apiUrl: c.apiUrl.replace(/\/$/, ''), signInUrl: c.signInUrl.replace(/\/$/, '') };
}
