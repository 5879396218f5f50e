import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { HttpResult } from './http.js';
import { httpErrors } from './middleware.js';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** The house HTTP handler: logger context and error mapping first, the use case last. `getDeps` is called per request
 * (it is cached), so a bad configuration answers 500 with a logged reason instead of crashing the module load. */
export function httpHandler<D extends { logger: Logger }>(
  getDeps: () => D,
  fn: (d: D, event: APIGatewayProxyEventV2) => Promise<HttpResult>,
  logger: Logger,
): HttpHandler {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrors(logger))
    .handler(async (event) => fn(getDeps(), event)) as unknown as HttpHandler;
}
