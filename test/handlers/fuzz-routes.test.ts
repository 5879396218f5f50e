import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext, toApiGatewayEvent } from '../../infra/local/lambda-event.js';
import { ROUTES } from '../../infra/routes.js';
import type { HttpHandler } from '../../lib/http/handler.js';

// Every client answers "nothing there": the handlers must still answer every input with a 2xx, 4xx or a 404, never a 5xx.
beforeAll(() => {
  Object.assign(process.env, {
    TABLE_NAME: 'tbl',
    EXPORT_BUCKET: 'exports',
    INGEST_BUCKET: 'ingest',
    RECALL_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:recalls',
    ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:alerts',
    EXPORT_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/exports',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
  });
  const empty = { Items: [], Responses: { tbl: [] }, Attributes: {}, Count: 0 };
  mockClient(DynamoDBDocumentClient).onAnyCommand().resolves(empty);
  mockClient(DynamoDBClient).onAnyCommand().resolves(empty);
  mockClient(SNSClient).onAnyCommand().resolves({ MessageId: 'm', Successful: [], Failed: [] });
  mockClient(S3Client).onAnyCommand().resolves({});
  mockClient(SQSClient).onAnyCommand().resolves({ MessageId: 'm' });
});

const segment = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('00614141000012', '614141000012', 'L1', 'store-1', 'R-0123456789abcdef', '%', '..'),
);
const body = fc.oneof(
  fc.json(),
  fc.string(),
  fc.object().map((o) => JSON.stringify(o)),
  fc.constant(''),
);
const query = fc.dictionary(
  fc.constantFrom('gtin', 'lot', 'limit', 'cursor', 'direction', 'from', 'to', 'quantity', 'asOf', 'movements'),
  fc.string({ maxLength: 20 }),
);

describe('every HTTP entry point', () => {
  for (const route of ROUTES) {
    it(`never answers 5xx: ${route.method} ${route.path}`, async () => {
      const { handler } = (await import(`../../functions/${route.handler}.ts`)) as { handler: HttpHandler };
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { minLength: 4, maxLength: 4 }), body, query, async (segs, b, q) => {
          const params: Record<string, string> = {};
          let i = 0;
          const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
            const v = encodeURIComponent(segs[i++] ?? 'x');
            params[name] = v;
            return v;
          });
          const qs = new URLSearchParams(q).toString();
          const event = toApiGatewayEvent({
            method: route.method,
            url: `${path}${qs ? `?${qs}` : ''}`,
            headers: { 'content-type': 'application/json' },
            body: Buffer.from(route.method === 'GET' ? '' : b),
            routeKey: `${route.method} ${route.path}`,
            pathParameters: params,
          });
          const res = (await handler(event, lambdaContext(route.handler))) as APIGatewayProxyStructuredResultV2;
          expect(res.statusCode, `${route.method} ${path}?${qs} ${b.slice(0, 80)} -> ${res.body}`).toBeLessThan(500);
        }),
        { numRuns: 150, seed: 7 },
      );
    });
  }
});
