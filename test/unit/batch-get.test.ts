import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchGetAll } from '../../lib/store/batch-get.js';
import { batchPutAll } from '../../lib/store/batch-put.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(doc);
beforeEach(() => ddb.reset());

const key = (n: number) => ({ pk: `SITE#s${n}`, sk: 'SITE' });
const recordingSleep = () => {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
};

describe('batchGetAll', () => {
  it('asks for each key once, 100 keys a request', async () => {
    // Prepare
    ddb.on(BatchGetCommand).resolves({ Responses: { t: [] } });
    const wanted = [...Array.from({ length: 150 }, (_, i) => key(i)), key(3), key(149)];
    // Act
    await batchGetAll(doc, 't', wanted);
    // Assess
    const sizes = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.t?.Keys?.length);
    expect(sizes).toHaveLength(2);
    expect(new Set(sizes)).toEqual(new Set([100, 50]));
  });

  it('sends unprocessed keys again, waiting through the injected sleep', async () => {
    // Prepare
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { t: [{ ...key(1), siteId: 's1' }] }, UnprocessedKeys: { t: { Keys: [key(2)] } } })
      .resolvesOnce({ Responses: { t: [{ ...key(2), siteId: 's2' }] } });
    const { slept, sleep } = recordingSleep();
    // Act
    const items = await batchGetAll(doc, 't', [key(1), key(2)], sleep);
    // Assess
    expect(items.map((i) => i.siteId)).toEqual(['s1', 's2']);
    expect(ddb.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems?.t?.Keys).toEqual([key(2)]);
    expect(slept).toHaveLength(1);
  });

  it('answers busy after 11 requests that all leave keys unprocessed', async () => {
    // Prepare
    ddb.on(BatchGetCommand).resolves({ Responses: { t: [] }, UnprocessedKeys: { t: { Keys: [key(1)] } } });
    const { slept, sleep } = recordingSleep();
    // Act
    const run = batchGetAll(doc, 't', [key(1)], sleep);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'AppError', code: 'busy', message: 'The table kept returning unprocessed keys' });
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(11);
    expect(slept).toHaveLength(10);
  });
});

describe('batchPutAll', () => {
  it('puts 25 items a request and sends unprocessed items again', async () => {
    // Prepare
    const items = Array.from({ length: 30 }, (_, i) => ({ ...key(i), siteId: `s${i}` }));
    const left = [{ PutRequest: { Item: items[0] } }];
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { t: left } })
      .resolves({});
    const { slept, sleep } = recordingSleep();
    // Act
    await batchPutAll(doc, 't', items, 1, sleep);
    // Assess
    const sent = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.t);
    expect(sent.map((s) => s?.length)).toEqual([25, 1, 5]);
    expect(sent[1]).toEqual(left);
    expect(slept).toHaveLength(1);
  });
});
