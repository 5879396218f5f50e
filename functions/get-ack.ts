import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { checkToken } from '../lib/domain/ack-tokens.js';
import { ackLinkView, acknowledgeByLink } from '../lib/domain/recall-acknowledgements.js';
import { LinkAckInput } from '../lib/domain/recall-request.js';
import { ackPage } from '../lib/http/ack-page.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

/** A browser asking for the page (Accept: text/html first), not a program asking for JSON. */
const wantsHtml = (event: APIGatewayProxyEventV2) => {
  const accept = event.headers?.accept ?? '';
  return /text\/html/.test(accept) && !/^application\/json/.test(accept);
};

/**
 * GET and POST /ack/{token}, without auth: the link a notice carries. JSON by the contract; for a browser, a plain page
 * with the notice and a form (the console will restyle it). Any token that is not a live one is a 404.
 */
export const makeGetAck = (d: Pick<Deps, 'recalls' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const token = checkToken(event.pathParameters?.token);
    const method = event.requestContext.http.method.toUpperCase();
    if (method === 'POST') {
      const form = /application\/x-www-form-urlencoded/.test(event.headers?.['content-type'] ?? '');
      const input = form
        ? parseBody(LinkAckInput, { body: JSON.stringify(formToAck(event)), isBase64Encoded: false })
        : parseBody(LinkAckInput, event);
      const ack = await acknowledgeByLink(d, token, input);
      if (form) return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: ackPage(await ackLinkView(d, token), true) };
      return json(200, ack);
    }
    const view = await ackLinkView(d, token);
    if (wantsHtml(event)) return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: ackPage(view, false) };
    return json(200, view);
  });

/** The page's form fields as the JSON body (numbers as numbers, the checkbox as a boolean). */
function formToAck(event: APIGatewayProxyEventV2) {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  const f = new URLSearchParams(raw);
  const num = (k: string) => (f.get(k) === null || f.get(k) === '' ? undefined : Number(f.get(k)));
  return {
    quantityOnHand: num('quantityOnHand'),
    quantityRemoved: num('quantityRemoved'),
    ...(f.has('furtherDistributed') ? { furtherDistributed: f.get('furtherDistributed') === 'on' || f.get('furtherDistributed') === 'true' } : {}),
    ...(f.get('note') ? { note: f.get('note') } : {}),
  };
}
export const handler = makeGetAck(deps());
