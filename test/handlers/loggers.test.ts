import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeGetProduct } from '../../functions/get-product.js';
import { makeGetSite } from '../../functions/get-site.js';
import { lambdaContext } from '../../infra/local/lambda-event.js';
import { documentClient } from '../../lib/store/document-client.js';
import { depsFor } from '../support/deps.js';
import { GTIN } from '../support/fixtures.js';
import { httpEvent } from '../support/http.js';

const doc = documentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(doc);
afterEach(() => vi.restoreAllMocks());

describe('handlers that share one Deps (as on the local server)', () => {
  it('each log a line naming their own function, even while both run at once', async () => {
    // Prepare: one Deps, one logger, two handlers; the product read is slow, so the site request starts and ends inside it.
    const d = { ...depsFor(doc, 'tbl'), logger: new Logger({ serviceName: 'lotledger', logLevel: 'INFO' }) };
    ddb.on(GetCommand).callsFake(async (input: { Key: { pk: string } }) => {
      if (input.Key.pk.startsWith('PRODUCT#')) await new Promise((r) => setTimeout(r, 50));
      return {};
    });
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const product = makeGetProduct(d);
    const site = makeGetSite(d);
    // Act
    const slow = product(httpEvent('GET', `/products/${GTIN.romaine}`), lambdaContext('get-product'));
    await new Promise((r) => setTimeout(r, 10));
    const fast = await site(httpEvent('GET', '/sites/dc-1'), lambdaContext('get-site'));
    const answers = [await slow, fast] as (APIGatewayProxyResultV2 & { statusCode: number })[];
    vi.restoreAllMocks();
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([404, 404]);
    const refused = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { message: string; code?: string; function_name?: string })
      .filter((l) => l.message === 'request refused');
    expect(refused.map((l) => [l.code, l.function_name]).sort()).toEqual([
      ['product_not_found', 'get-product'],
      ['site_not_found', 'get-site'],
    ]);
  });
});
