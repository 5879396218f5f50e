import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { AppError } from '../domain/errors.js';

/** Lambda returns at most 6 MB from a synchronous invocation: the whole serialized result, headers and escaping included. */
export const MAX_ANSWER_BYTES = 6 * 1024 * 1024;

/** The bytes Lambda would send back for this result. */
export const answerBytes = (result: APIGatewayProxyResultV2): number => Buffer.byteLength(JSON.stringify(result));

/**
 * after: refuse an answer Lambda could not return (413 `payload_too_large`, asking for a smaller page) instead of
 * letting it fail as a 5xx in the cloud. Paged routes keep their pages far below this; it is the last line.
 */
export const answerSizeGuard = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  after: async (request) => {
    const response = request.response;
    if (response === null || response === undefined || answerBytes(response) <= MAX_ANSWER_BYTES) return;
    throw new AppError('payload_too_large', 'The answer would be larger than the 6 MB a Lambda can return; ask for a smaller page with limit', [
      { path: 'limit', message: 'ask for fewer items' },
    ]);
  },
});
