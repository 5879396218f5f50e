import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { HttpResult } from './http.js';
import { httpErrors } from './middleware.js';
import { withOwnLogger } from './own-logger.js';
import { answerSizeGuard } from './size-guard.js';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** The house HTTP handler over its own logger: logger context and error mapping first, the answer's size guard, the use case last. */
export function httpHandler<D extends { logger: Logger }>(
  d: D,
  fn: (d: D, event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>,
): HttpHandler {
  const own = withOwnLogger(d);
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(injectLambdaContext(own.logger, { resetKeys: true }))
    .use(httpErrors(own.logger))
    .use(answerSizeGuard())
    .handler(async (event, context) => fn(own, event, context)) as unknown as HttpHandler;
}

/**
 * One Lambda function for two routes (infra/routes.ts, `sharesFunctionOf`): `routeKey` (`GET /recalls`) to `hit`,
 * every other route to `rest`.
 */
export const byRouteKey =
  (routeKey: string, hit: HttpHandler, rest: HttpHandler): HttpHandler =>
  (event, context) =>
    event.routeKey === routeKey ? hit(event, context) : rest(event, context);
