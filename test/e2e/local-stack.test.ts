import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalProcess, startLocal, stopLocal } from '../support/local-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lotledger-e2e-'));

const start = (env: Record<string, string> = {}) => startLocal(dataDir, { env });
const stop = stopLocal;

const json = async (url: string, method = 'GET', body?: unknown) => {
  const r = await fetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

let stack: LocalProcess;
beforeAll(async () => {
  stack = await start();
}, 120_000);
afterAll(async () => {
  if (stack?.child.exitCode === null) await stop(stack.child);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start: the embedded local stack', () => {
  it('answers /health with the table, the export bucket and the local endpoints', async () => {
    const h = await json(`${stack.url}/health`);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ ok: true, tableName: 'lotledger', exportBucket: 'lotledger-exports' });
    const endpoints = h.body.endpoints as Record<string, string>;
    for (const k of ['dynamodb', 's3', 'sns']) expect(endpoints[k]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the contract routes through the real handlers, with 404 and 405 for what does not exist', async () => {
    expect((await json(`${stack.url}/products/00614141000012`, 'PUT', { description: 'Romaine', unit: 'case', ftl: true })).status).toBe(200);
    expect((await json(`${stack.url}/products/00614141000012`)).body).toMatchObject({ gtin: '00614141000012', ftl: true });
    expect((await json(`${stack.url}/products/00614141000013`, 'PUT', { description: 'x' })).body).toMatchObject({
      error: { code: 'validation_failed', details: [{ path: 'gtin' }] },
    });
    expect((await json(`${stack.url}/nowhere`)).status).toBe(404);
    expect((await json(`${stack.url}/products/00614141000012`, 'DELETE')).status).toBe(405);
  });

  it('publishes recall notices that show up in /_local/notifications', async () => {
    await json(`${stack.url}/sites/dc-1`, 'PUT', { kind: 'warehouse', name: 'DC' });
    await json(`${stack.url}/sites/store-1`, 'PUT', { kind: 'store', name: 'Store 1' });
    const mv = await json(`${stack.url}/movements`, 'POST', {
      movements: [
        { eventId: 'e2e-1', type: 'receive', occurredAt: '2026-03-01T08:00:00Z', gtin: '00614141000012', lot: 'E1', quantity: 5, site: 'dc-1' },
        {
          eventId: 'e2e-2',
          type: 'transfer',
          occurredAt: '2026-03-01T09:00:00Z',
          gtin: '00614141000012',
          lot: 'E1',
          quantity: 2,
          site: 'dc-1',
          counterparty: 'store-1',
        },
      ],
    });
    expect(mv.body).toMatchObject({ accepted: 2 });
    const r = await json(`${stack.url}/recalls`, 'POST', {
      lots: [{ gtin: '00614141000012', lot: 'E1' }],
      classification: 'II',
      reason: 'e2e',
      hazard: 'e2e hazard',
      instructions: 'e2e instructions',
    });
    expect(r.status).toBe(201);
    let items: { attributes: Record<string, string>; body: string }[] = [];
    for (let i = 0; i < 100 && items.length < 1; i++) {
      items = (await json(`${stack.url}/_local/notifications?audience=store&siteId=store-1`)).body.items as typeof items;
      if (!items.length) await new Promise((res) => setTimeout(res, 100));
    }
    expect(items).toHaveLength(1);
    expect(items[0]?.attributes).toMatchObject({ eventType: 'recall.notice', siteId: 'store-1', recallId: r.body.recallId });
    expect(JSON.parse(items[0]?.body ?? '{}')).toMatchObject({ type: 'recall.notice', recipient: { siteId: 'store-1' } });
    // The topic filter takes the topic's name, its ARN, or its short name.
    const ofTopic = async (t: string) =>
      ((await json(`${stack.url}/_local/notifications?topic=${encodeURIComponent(t)}&siteId=store-1`)).body.items as unknown[]).length;
    for (const t of ['lotledger-recalls', 'recalls', 'recall', 'RECALLS']) expect(await ofTopic(t), t).toBe(1);
    for (const t of ['alerts', 'lotledger-alerts', 'nope']) expect(await ofTopic(t), t).toBe(0);
  });

  it('stops cleanly on Ctrl-C and finds its data again on the next start', async () => {
    expect(await stop(stack.child)).toBe(0);
    stack = await start();
    expect((await json(`${stack.url}/products/00614141000012`)).body).toMatchObject({ description: 'Romaine' });
    expect((await json(`${stack.url}/lots/00614141000012/E1`)).body).toMatchObject({ status: 'recalled', onHand: 5, unchained: 0 });
    // a stop and a second start of DynamoDB Local: about a minute on two loaded cores
  }, 150_000);

  it('says clearly that Java is missing when it is', async () => {
    // exit code 1 and the message, before any ready line
    await expect(startLocal(join(dataDir, 'nojava'), { env: { PATH: '/nonexistent' } })).rejects.toThrow(
      /exited with 1 before ready:[\s\S]*Java 17 or newer is needed/,
    );
  });
});
