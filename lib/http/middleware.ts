import type { Logger } from '@aws-lambda-powertools/logger';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { AppError } from '../domain/errors.js';
import { toHttp } from './http.js';

/** onError: log, then map the error to the contract's error body. Client errors log at info, the rest at error. */
export const httpErrors = (logger: Logger): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  onError: async (request) => {
    const e = request.error;
    if (e instanceof AppError && e.status < 500) logger.info('request refused', { code: e.code, status: e.status });
    else logger.error('request failed', e as Error);
    request.response = toHttp(e);
  },
});
