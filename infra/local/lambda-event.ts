import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|x-ndjson|csv|.*\+json|.*\+xml))/i;

/**
 * Turn an HTTP request into an API Gateway HTTP API (payload format 2.0) event, as API Gateway would:
 * lower-case headers with repeats joined by commas, repeated query parameters joined by commas, text bodies as
 * UTF-8 and binary bodies as base64.
 */
export function toApiGatewayEvent(req: {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  routeKey: string;
  pathParameters?: Record<string, string>;
  sourceIp?: string;
}): APIGatewayProxyEventV2 {
  const u = new URL(req.url, 'http://local');
  const headers: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  // Null prototypes: a header or parameter named `constructor` or `__proto__` is data like any other.
  const query: Record<string, string> = Object.create(null);
  for (const [k, v] of u.searchParams) query[k] = Object.hasOwn(query, k) ? `${query[k]},${v}` : v;
  const contentType = headers['content-type'] ?? '';
  const isText = req.body.length === 0 || contentType === '' || TEXT_TYPES.test(contentType);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: req.routeKey,
    rawPath: u.pathname,
    rawQueryString: u.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(req.pathParameters && Object.keys(req.pathParameters).length > 0 ? { pathParameters: req.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method,
        path: u.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: req.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body.length > 0 ? { body: isText ? req.body.toString('utf8') : req.body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

/** A Lambda context good enough for Powertools and middy, with the same timeout the cloud function has. */
export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
