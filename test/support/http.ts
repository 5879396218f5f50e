import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaContext, toApiGatewayEvent } from '../../infra/local/lambda-event.js';
import { matchPath, ROUTES } from '../../infra/routes.js';
import type { HttpHandler } from '../../lib/http/handler.js';

/** An API Gateway v2 event for `method path`, built the way the local server builds it. */
export function httpEvent(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const u = new URL(path, 'http://local');
  const route = ROUTES.find((r) => r.method === method && matchPath(r.path, u.pathname));
  const raw = body === undefined ? Buffer.alloc(0) : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return toApiGatewayEvent({
    method,
    url: path,
    headers: { 'content-type': 'application/json', ...headers },
    body: raw,
    routeKey: route ? `${route.method} ${route.path}` : `${method} ${u.pathname}`,
    pathParameters: route ? (matchPath(route.path, u.pathname) ?? {}) : {},
  });
}

/** Call a handler and parse its JSON answer. */
export async function call<T = Record<string, unknown>>(
  h: HttpHandler,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = (await h(httpEvent(method, path, body, headers), lambdaContext('test'))) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode ?? 200, body: JSON.parse(res.body ?? 'null') as T };
}
