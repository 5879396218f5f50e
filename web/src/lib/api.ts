/** The console's one way to the API: JSON in, JSON out, the contract's error body turned into words. */

/**
 * How the console reaches the API: the same origin, unsigned, locally (`npm start`); in the cloud the API Gateway URL
 * of config.json and a fetch that signs with the user's group credentials (web/src/auth), set once at start.
 */
const target: { baseUrl: string; fetch: typeof fetch } = {
  baseUrl: (import.meta.env.VITE_API_URL as string | undefined)?.replace(/\/$/, '') ?? '',
  fetch: (input, init) => fetch(input, init),
};

export function configureApi(next: { baseUrl?: string; fetch?: typeof fetch }) {
  if (next.baseUrl !== undefined) target.baseUrl = next.baseUrl.replace(/\/$/, '');
  if (next.fetch) target.fetch = next.fetch;
}

/** The API's address: empty (same origin) locally. */
export const apiUrl = () => target.baseUrl;

/** A request to the API as the console makes them (signed in the cloud); for answers that are not JSON. */
export const apiFetch = (path: string, init: RequestInit = {}) => target.fetch(`${target.baseUrl}${path}`, init);

export type ErrorDetail = { path: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** One sentence a person can act on: the API's message, then each field it names. */
  get words(): string {
    const fields = this.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).filter(Boolean);
    return fields.length > 0 ? `${this.message} (${fields.join('; ')})` : this.message;
  }
}

/** Read the contract's `{error: {code, message, details}}`, or say what came back instead. */
export async function errorOf(r: Response): Promise<ApiError> {
  const text = await r.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: ErrorDetail[] }; message?: string };
    if (body.error?.message) return new ApiError(r.status, body.error.code ?? 'error', body.error.message, body.error.details ?? []);
    if (body.message) return new ApiError(r.status, 'error', body.message);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(r.status, 'http_error', `The server answered HTTP ${r.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

export type ApiOptions = { headers?: Record<string, string>; signal?: AbortSignal };

export async function api<T>(method: string, path: string, body?: unknown, opts: ApiOptions = {}): Promise<T> {
  let r: Response;
  try {
    r = await apiFetch(path, {
      method,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    throw new ApiError(0, 'network_error', `The API could not be reached (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!r.ok) throw await errorOf(r);
  if (r.status === 204) return undefined as T;
  return (await r.json()) as T;
}

export const get = <T>(path: string, opts?: ApiOptions) => api<T>('GET', path, undefined, opts);
export const post = <T>(path: string, body: unknown, opts?: ApiOptions) => api<T>('POST', path, body, opts);

/** A path segment: lot codes may hold `/`, `%`, `?` and the like (GS1 set 82). */
export const seg = (s: string) => encodeURIComponent(s);
export const lotPath = (gtin: string, lot: string) => `/lots/${seg(gtin)}/${seg(lot)}`;

/** The words of any error, for an Alert. */
export const wordsOf = (e: unknown): string => (e instanceof ApiError ? e.words : e instanceof Error ? e.message : String(e));

/** A route that a feature branch has not brought to this server yet answers `route_not_found`. */
export const notBuilt = (e: unknown) => e instanceof ApiError && e.status === 404 && e.code === 'route_not_found';
