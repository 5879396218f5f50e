import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/get-openapi.js';
import { API_DOCS, buildOpenApi } from '../../infra/openapi.js';
import { ROUTES } from '../../infra/routes.js';
import { call } from '../support/http.js';

const committed = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'));
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

describe('the OpenAPI document', () => {
  it('is committed exactly as `npm run openapi` generates it', () => {
    expect(committed).toEqual(buildOpenApi(version));
  });

  it('documents every route with the schema its handler validates with', () => {
    for (const r of ROUTES) {
      expect(API_DOCS[r.handler], `${r.method} ${r.path}`).toBeDefined();
      expect(committed.paths[r.path][r.method.toLowerCase()].operationId).toBe(r.handler);
    }
    const movement = committed.paths['/movements'].post.requestBody.content['application/json'].schema.properties.movements;
    expect(movement).toMatchObject({ type: 'array', minItems: 1, maxItems: 500 });
    expect(movement.items.properties.type.enum).toContain('first-land-receive');
  });

  it('is served at GET /openapi.json', async () => {
    const r = await call(handler, 'GET', '/openapi.json');
    expect(r).toMatchObject({ status: 200, body: { openapi: '3.1.0', info: { title: 'lotledger' } } });
  });
});
