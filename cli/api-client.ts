import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export type ApiResponse<T> = { status: number; body: T };
export type ApiErrorBody = { error?: { code?: string; message?: string; details?: { path: string; message: string }[] } };

/** An API error in one line, naming the first fields at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    const e = body.error;
    const details = (e?.details ?? [])
      .filter((x) => x.path)
      .slice(0, 3)
      .map((x) => `${x.path}: ${x.message}`)
      .join('; ');
    super(`${e?.message ?? `HTTP ${status}`}${details && !e?.message?.includes(details) ? ` (${details})` : ''}`);
  }
}

const isLocal = (u: URL) => ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(u.hostname);

/** Region of an API Gateway URL (`https://id.execute-api.eu-west-1.amazonaws.com`), else AWS_REGION. */
const regionOf = (u: URL) => /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(u.hostname)?.[1] ?? process.env.AWS_REGION ?? 'us-east-1';

/**
 * A small client for the lotledger HTTP API. Requests to AWS are SigV4-signed (the API uses IAM auth) with the
 * standard credential chain; the local stack needs no auth.
 * @example await new ApiClient('http://127.0.0.1:3000').get('/health')
 */
export class ApiClient {
  readonly base: URL;
  private signer?: SignatureV4;

  constructor(baseUrl = process.env.LOTLEDGER_API_URL ?? DEFAULT_API_URL) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    if (!isLocal(this.base)) {
      this.signer = new SignatureV4({ service: 'execute-api', region: regionOf(this.base), credentials: defaultProvider(), sha256: Sha256 });
    }
  }

  get = <T>(path: string) => this.request<T>('GET', path);
  post = <T>(path: string, body: unknown, headers: Record<string, string> = {}) => this.request<T>('POST', path, body, 'application/json', headers);
  put = <T>(path: string, body: unknown) => this.request<T>('PUT', path, body);
  /** GET a non-JSON representation (e.g. `text/csv`) as text. */
  getText = (path: string, accept: string) => this.request<string>('GET', path, undefined, accept);
  /** GET a binary representation (a PNG or PDF label) as bytes. */
  getBytes = (path: string, accept: string) => this.request<Buffer>('GET', path, undefined, accept, {}, undefined, true);
  /** GET a non-JSON page as text, with the answer's `x-next-cursor` header (paged CSV). */
  getTextPage = async (path: string, accept: string): Promise<{ text: string; nextCursor?: string }> => {
    let nextCursor: string | null = null;
    const text = await this.request<string>('GET', path, undefined, accept, {}, (h) => {
      nextCursor = h.get('x-next-cursor');
    });
    return nextCursor ? { text, nextCursor } : { text };
  };

  /** Send a request; a non-2xx answer throws ApiError, an unreachable API throws a sentence saying so. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    accept = 'application/json',
    extra: Record<string, string> = {},
    onHeaders?: (headers: Headers) => void,
    bytes = false,
  ): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    const text = body === undefined ? undefined : JSON.stringify(body);
    let headers: Record<string, string> = { accept, ...(text ? { 'content-type': 'application/json' } : {}), ...extra };
    if (this.signer) {
      const query: Record<string, string> = {};
      url.searchParams.forEach((v, k) => {
        query[k] = v;
      });
      const signed = await this.signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers: { ...headers, host: url.host },
        ...(text ? { body: text } : {}),
      });
      headers = signed.headers as Record<string, string>;
    }
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(text ? { body: text } : {}) });
    } catch (e) {
      throw new Error(
        `cannot reach the lotledger API at ${this.base.origin} (${(e as Error).cause ?? (e as Error).message}); is \`npm start\` running, or LOTLEDGER_API_URL set?`,
      );
    }
    onHeaders?.(res.headers);
    if (res.ok && bytes) return Buffer.from(await res.arrayBuffer()) as T;
    const raw = await res.text();
    if (res.ok && accept !== 'application/json') return raw as T;
    let parsed: unknown;
    try {
      parsed = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      parsed = raw;
    }
    if (!res.ok) throw new ApiError(res.status, (parsed ?? {}) as ApiErrorBody);
    return parsed as T;
  }
}
