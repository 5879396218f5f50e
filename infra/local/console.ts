import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's place in infra/local/. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where `vite build` writes the console (web/vite.config.ts), served by `npm start`. */
export const CONSOLE_DIST = join(ROOT, 'web', 'dist');

/** The console's sources: a change to any of them makes the built console stale. lib/domain is bundled in part (GS1 parsing). */
const SOURCES = ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/public', 'lib/domain', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Whether web/dist is missing or older than any of the console's sources. */
export function consoleIsStale(root = ROOT, dist = CONSOLE_DIST): boolean {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((s) => newestMtime(join(root, s)) > built);
}

/**
 * Build the console with Vite when it is missing or stale, so `npm ci && npm start` stays the whole set-up. The build
 * goes to a fresh directory that then replaces web/dist in one rename: a second `npm start` building at the same time
 * (the browser tests and a developer) never serves a half-written console.
 */
export async function ensureConsoleBuilt(log: (msg: string) => void = () => undefined): Promise<{ built: boolean; ms: number }> {
  if (!consoleIsStale()) return { built: false, ms: 0 };
  const started = Date.now();
  log('building the console (web/) with Vite ...');
  const tmp = `${CONSOLE_DIST}.${process.pid}.${Date.now()}`;
  const { build } = await import('vite');
  // Vite bundles React's development build when NODE_ENV is already set to anything else, as vitest sets it to `test`:
  // the test run's build (which `npm start` then serves while it is fresh) was about 20% larger and much slower to draw.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(ROOT, 'web', 'vite.config.ts'),
      mode: 'production',
      build: { outDir: tmp, emptyOutDir: true },
      logLevel: 'warn',
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  mkdirSync(dirname(CONSOLE_DIST), { recursive: true });
  const old = `${CONSOLE_DIST}.old.${process.pid}.${Date.now()}`;
  if (existsSync(CONSOLE_DIST)) renameSync(CONSOLE_DIST, old);
  renameSync(tmp, CONSOLE_DIST);
  rmSync(old, { recursive: true, force: true });
  return { built: true, ms: Date.now() - started };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** The console's own addresses: `/`, its pages under `/console/`, and its built files under `/assets/`. None is an API path. */
const PAGE = /^\/(console(\/.*)?)?$/;
/** `/ack/{token}` is both the API (JSON) and the console's acknowledgement page: a browser navigating there gets the page. */
const ACK_PAGE = /^\/ack\/[^/]+\/?$/;

/** A browser navigation asks for HTML first; fetch() and curl ask for JSON or anything. */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]?.trim().toLowerCase());
  const html = types.indexOf('text/html');
  const json = types.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}

/**
 * Which built file, if any, answers this request. API routes keep precedence everywhere else: only `/`, `/console/...`,
 * `/assets/...` and a browser's navigation to `/ack/{token}` are the console's.
 */
export function consoleFileFor(method: string, pathname: string, accept: string | undefined, dist = CONSOLE_DIST): string | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (PAGE.test(pathname) || (ACK_PAGE.test(pathname) && wantsHtml(accept))) return join(dist, 'index.html');
  if (pathname.startsWith('/assets/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    const file = normalize(join(dist, decoded));
    if (!file.startsWith(join(dist, 'assets') + sep)) return undefined;
    return file;
  }
  return undefined;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
};

/** Serve the console's file for this request; false when the request is the API's. */
export function serveConsole(req: IncomingMessage, res: ServerResponse, url: URL, dist = CONSOLE_DIST): boolean {
  const file = consoleFileFor((req.method ?? 'GET').toUpperCase(), url.pathname, req.headers.accept, dist);
  if (!file) return false;
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (url.pathname.startsWith('/assets/')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return true;
    }
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    res.end('The console is not built: run `npm start` again (it builds web/ when missing).');
    return true;
  }
  const immutable = url.pathname.startsWith('/assets/');
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  createReadStream(file).pipe(res);
  return true;
}
