/**
 * A fetch that signs each request to the API with SigV4 (service execute-api), as the HTTP API's IAM auth expects:
 * Authorization, X-Amz-Date, X-Amz-Security-Token (the identity pool's credentials are temporary) and the body's hash.
 * The signature is @smithy/signature-v4's, the AWS SDK's own.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './credentials';

/** Headers the browser sets itself (and will not let a page set): never signed. */
const UNSIGNABLE = new Set(['host', 'connection', 'content-length', 'user-agent', 'accept-encoding', 'origin', 'referer']);

export function signingFetch(region: string, credentials: () => Promise<Credentials>, fetchImpl: typeof fetch = fetch): typeof fetch {
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    sha256: Sha256,
    credentials: async () => {
      const c = await credentials();
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: new Date(c.expiresAt) };
    },
  });
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input), globalThis.location?.href);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      if (!UNSIGNABLE.has(k)) headers[k] = v;
    });
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string')
      throw new TypeError('signingFetch signs string bodies only (the console sends JSON)');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const had = query[k];
      query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    }
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      ...(typeof init.body === 'string' ? { body: init.body } : {}),
    });
    const { host: _host, ...sent } = signed.headers;
    return fetchImpl(url.toString(), { ...init, method, headers: sent });
  };
}
