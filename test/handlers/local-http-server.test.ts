import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, MAX_BODY } from '../../infra/local/http-server.js';

// A POST route onto the OpenAPI handler, which needs nothing but a logger and ignores the body.
const server = createApiServer({ routes: [{ method: 'POST', path: '/echo', handler: 'get-openapi', access: {} }] });
let url: string;
beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const post = async (bytes: number) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(bytes) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('the local HTTP server', () => {
  it('takes a body of Lambda’s 6 MB payload limit', async () => {
    expect(MAX_BODY).toBe(6 * 1024 * 1024);
    expect((await post(MAX_BODY)).status).toBe(200);
  });

  it('answers a larger body with 413 and the contract’s error body, as Lambda refuses it', async () => {
    expect(await post(MAX_BODY + 1)).toEqual({
      status: 413,
      body: { error: { code: 'payload_too_large', message: 'The request body is larger than 6 MB', details: [] } },
    });
  });
});
