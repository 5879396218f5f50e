import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFileFor, wantsHtml } from '../../infra/local/console.js';
import { createApiServer } from '../../infra/local/http-server.js';
import type { Route } from '../../infra/routes.js';

const dist = mkdtempSync(join(tmpdir(), 'lotledger-console-dist-'));

describe('which requests are the console', () => {
  it('a browser navigating asks for HTML; fetch and curl do not', () => {
    expect(wantsHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(true);
    expect(wantsHtml('application/json')).toBe(false);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml(undefined)).toBe(false);
    expect(wantsHtml('application/json, text/html')).toBe(false);
  });
  it('only /, /console/..., /assets/... and a browser at /ack/{token} are the console; every other path stays the API', () => {
    const html = 'text/html';
    expect(consoleFileFor('GET', '/', undefined, dist)).toBe(join(dist, 'index.html'));
    expect(consoleFileFor('GET', '/console/recalls/R-1', 'application/json', dist)).toBe(join(dist, 'index.html'));
    expect(consoleFileFor('GET', '/ack/abc', html, dist)).toBe(join(dist, 'index.html'));
    expect(consoleFileFor('GET', '/ack/abc', 'application/json', dist)).toBeUndefined();
    expect(consoleFileFor('POST', '/ack/abc', html, dist)).toBeUndefined();
    expect(consoleFileFor('POST', '/', html, dist)).toBeUndefined();
    for (const p of ['/lots/00614141000012/A', '/recalls', '/health', '/consoles', '/console.json', '/nope'])
      expect(consoleFileFor('GET', p, html, dist)).toBeUndefined();
    expect(consoleFileFor('GET', '/assets/app.js', undefined, dist)).toBe(join(dist, 'assets', 'app.js'));
    expect(consoleFileFor('GET', '/assets/%2e%2e/%2e%2e/etc/passwd', undefined, dist)).toBeUndefined();
    expect(consoleFileFor('GET', '/assets/%E0%A4%A', undefined, dist)).toBeUndefined();
  });
});

describe('the local server with the console', () => {
  let url: string;
  const server = createApiServer({ routes: [] as Route[], consoleDir: dist });
  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((ok) => server.close(() => ok()));
    rmSync(dist, { recursive: true, force: true });
  });
  it('serves the page with security headers and the hashed assets as immutable', async () => {
    const page = await fetch(`${url}/console/expiry`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await fetch(`${url}/assets/app.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
  });
  it('unknown API paths still get the API 404 JSON, even from a browser', async () => {
    const r = await fetch(`${url}/no/such`, { headers: { accept: 'text/html' } });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: { code: 'route_not_found' } });
    const ack = await fetch(`${url}/ack/tok`);
    expect(ack.status).toBe(404);
    expect(await ack.json()).toMatchObject({ error: { code: 'route_not_found' } });
  });
});
