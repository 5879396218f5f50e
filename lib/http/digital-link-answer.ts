import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { PublicLotFacts } from '../domain/digital-link.js';
import { AppError } from '../domain/errors.js';
import { type HttpResult, json } from './http.js';

/** JSON when the caller asks for it (`Accept: application/json` without text/html), else the page for a phone's browser. */
export const wantsJson = (event: APIGatewayProxyEventV2) => {
  const accept = (event.headers?.accept ?? '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/html');
};

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page whoever scanned the QR code sees: the product, its expiry and, in large letters, whether it is recalled. */
export function resolverPage(f: PublicLotFacts): string {
  const product = esc(f.description ?? `GTIN ${f.gtin}`);
  const verdict = f.recalled
    ? `<section class="recalled" role="alert"><h1>RECALLED</h1><p class="title">${esc(f.recall?.title ?? 'PRODUCT RECALL')}</p>` +
      `<p class="instructions">${esc(f.recall?.instructions ?? '')}</p><p>${esc(f.recall?.reason ?? '')}</p></section>`
    : `<section class="ok"><h1>NOT RECALLED</h1><p>No recall of this lot is known.</p></section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${f.recalled ? 'RECALLED: ' : ''}${product}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:40rem}
h1{font-size:3.5rem;line-height:1.1;margin:.5rem 0}
.recalled{background:#b00020;color:#fff;padding:1rem;border-radius:.5rem}
.recalled .title{font-size:1.6rem;font-weight:700}.recalled .instructions{font-size:1.4rem;font-weight:700}
.ok{background:#0b6e2e;color:#fff;padding:1rem;border-radius:.5rem}
dl{font-size:1.1rem}dt{font-weight:700;margin-top:.5rem}
</style></head>
<body>
${verdict}
<h2>${product}</h2>
<dl>
<dt>GTIN</dt><dd>${esc(f.gtin)}</dd>
<dt>Lot</dt><dd>${esc(f.lot)}</dd>
${f.serial ? `<dt>Serial</dt><dd>${esc(f.serial)}</dd>\n` : ''}<dt>Use by</dt><dd>${f.expiry ? esc(f.expiry) : 'not recorded'}${f.expired ? ' (expired)' : ''}</dd>
</dl>
</body></html>
`;
}

/** The resolver's answer in the form the caller asked for. */
export function digitalLinkAnswer(event: APIGatewayProxyEventV2, f: PublicLotFacts): HttpResult {
  const headers = { vary: 'Accept', 'cache-control': 'public, max-age=60' };
  if (wantsJson(event)) return json(200, f, headers);
  return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: resolverPage(f) };
}

/** A browser: it asks for HTML (a phone that scanned a QR code does), and not for JSON first. */
const wantsPage = (event: APIGatewayProxyEventV2) => (event.headers?.accept ?? '').toLowerCase().includes('text/html') && !wantsJson(event);

/**
 * The resolver's answer, or for a browser a page saying in words that the code is not known or not a GS1 code, with
 * the same 4xx status, so a phone that scanned a QR code shows a page; any other caller gets the contract's error body.
 */
export async function resolvedAnswer(event: APIGatewayProxyEventV2, facts: () => Promise<PublicLotFacts>): Promise<HttpResult> {
  try {
    return digitalLinkAnswer(event, await facts());
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500 || !wantsPage(event)) throw e;
    const heading = e.status === 404 ? 'Not found' : 'Not a code we can read';
    const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading}</title>
<style>body{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:40rem}h1{font-size:2.5rem}</style></head>
<body><h1>${heading}</h1><p>${esc(e.message)}</p>
<p>If you are checking whether a product is recalled, ask the store or the brand, and keep the package.</p></body></html>
`;
    return { statusCode: e.status, headers: { 'content-type': 'text/html; charset=utf-8', vary: 'Accept' }, body };
  }
}
