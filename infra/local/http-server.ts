import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { AppError } from '../../lib/domain/errors.js';
import { toHttp } from '../../lib/http/http.js';
import { matchPath, ROUTES, type Route } from '../routes.js';
import { serveConsole } from './console.js';
import { lambdaContext, toApiGatewayEvent } from './lambda-event.js';

/** Lambda's payload limit for a synchronous invoke (HTTP API itself would take 10 MB): larger bodies never reach a handler. */
export const MAX_BODY = 6 * 1024 * 1024;

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;
export type LocalRoute = { method: string; path: string; handle: (url: URL) => Promise<{ status: number; body: unknown }> };

/** Load a handler module from functions/ the way Lambda would: once, on first use. */
const loaded = new Map<string, Promise<LambdaHttpHandler>>();
export function loadHandler(name: string): Promise<LambdaHttpHandler> {
  let p = loaded.get(name);
  if (!p) {
    p = import(`../../functions/${name}.ts`).then((m: { handler: LambdaHttpHandler }) => m.handler);
    loaded.set(name, p);
  }
  return p;
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
};

/** Write a payload-2.0 result the way API Gateway does, including its shorthand of returning a bare value. */
function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2) {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    return send(res, 200, JSON.stringify(result));
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The local API: each request becomes an API Gateway HTTP API event for the real handler of its route in ROUTES.
 * `extra` adds local-only routes such as `/_local/notifications`; `consoleDir` serves the web console beside the API
 * (infra/local/console.ts: only its own addresses, so every API path answers exactly as without it).
 */
export function createApiServer(
  opts: {
    routes?: readonly Route[];
    extra?: LocalRoute[];
    log?: (msg: string, extra?: object) => void;
    /** the built console (web/dist) to serve at `/`, `/console/...`, `/assets/...` and to browsers at `/ack/{token}` */
    consoleDir?: string;
  } = {},
): Server {
  const routes = opts.routes ?? ROUTES;
  const log = opts.log ?? (() => undefined);
  return createServer(async (req, res) => {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://local');
    try {
      if (opts.consoleDir && serveConsole(req, res, url, opts.consoleDir)) return;
      const local = opts.extra?.find((r) => r.method === method && r.path === url.pathname);
      if (local) {
        const r = await local.handle(url);
        return send(res, r.status, r.body);
      }
      const candidates = routes
        .map((route) => ({ route, params: matchPath(route.path, url.pathname) }))
        .filter((c): c is { route: Route; params: Record<string, string> } => c.params !== undefined);
      // A literal segment beats a parameter, as in API Gateway: `/recalls/{id}/report` over `/recalls/{id}/{other}`.
      const literals = (path: string) => path.split('/').filter((s) => s && !s.startsWith('{')).length;
      const match = candidates.filter((c) => c.route.method === method).sort((a, b) => literals(b.route.path) - literals(a.route.path))[0];
      if (!match) {
        if (candidates.length > 0) return writeResult(res, toHttp(new AppError('method_not_allowed', `${method} is not allowed on ${url.pathname}`)));
        return writeResult(res, toHttp(new AppError('route_not_found', `No route for ${method} ${url.pathname}`)));
      }
      const body = await readBody(req);
      if (body === 'too-large') return writeResult(res, toHttp(new AppError('payload_too_large', 'The request body is larger than 6 MB')));
      const event = toApiGatewayEvent({
        method,
        url: req.url ?? '/',
        headers: req.headers,
        body,
        routeKey: `${match.route.method} ${match.route.path}`,
        pathParameters: match.params,
        ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
      });
      const handler = await loadHandler(match.route.handler);
      let result: APIGatewayProxyResultV2;
      try {
        result = await handler(event, lambdaContext(match.route.handler));
      } catch (e) {
        // What API Gateway answers when the integration fails.
        log('handler crashed', { route: event.routeKey, error: String(e) });
        return send(res, 500, { message: 'Internal Server Error' });
      }
      writeResult(res, result);
      log('request', { route: event.routeKey, ms: Date.now() - started });
    } catch (e) {
      log('local server error', { error: String(e) });
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.end();
    }
  });
}
