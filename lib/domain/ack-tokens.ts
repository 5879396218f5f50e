import { sha256Hex } from './canonical.js';
import { AppError } from './errors.js';

/**
 * A link token: `{notice}{secret}`, base64url of the notice it opens (its recall and site ids) followed by base64url of
 * 32 random bytes (43 characters: 256 bits, at least the 128 the contract asks for); only its hash is stored, in the
 * notice. Naming the notice spares a lookup item per notice (a third of the fan-out's writes). A token issued before
 * is the secret alone, found through its token item.
 */
export const ACK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43,443}$/;
const SECRET_CHARS = 43;

/**
 * The token of a notice's link, from a fresh secret (`newAckToken`, 43 characters).
 * @example linkToken('R-1', 'store-1', secret) // 'WyJSLTEiLCJzdG9yZS0xIl0' + secret
 */
export const linkToken = (recallId: string, siteId: string, secret: string) =>
  `${Buffer.from(JSON.stringify([recallId, siteId]), 'utf8').toString('base64url')}${secret}`;

/** The notice a token names (recall and site ids), when it names one. */
export function tokenNotice(token: string): { recallId: string; siteId: string } | undefined {
  if (token.length <= SECRET_CHARS) return undefined;
  try {
    const ids = JSON.parse(Buffer.from(token.slice(0, -SECRET_CHARS), 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(ids) && ids.length === 2 && typeof ids[0] === 'string' && typeof ids[1] === 'string')
      return { recallId: ids[0], siteId: ids[1] };
  } catch {
    // not ours: as unknown as a dead token
  }
  return undefined;
}

/**
 * The hash a token is stored under: the token itself is only ever in the message that carries it.
 * @example tokenHash('x'.repeat(43)) // 64 hex digits
 */
export const tokenHash = (token: string) => sha256Hex(`lotledger-ack:${token}`);

/** The link a notice carries: `{CONSOLE_URL}/ack/{token}`. */
export const ackUrl = (consoleUrl: string, token: string) => `${consoleUrl.replace(/\/+$/, '')}/ack/${token}`;

/**
 * A token from a path: anything that is not the shape lotledger issues is as unknown as a dead one (404), so a caller
 * learns nothing from the difference.
 */
export function checkToken(raw: string | undefined): string {
  if (raw === undefined || !ACK_TOKEN_PATTERN.test(raw)) throw unknownToken();
  return raw;
}

export const unknownToken = () =>
  new AppError('ack_token_not_found', 'This acknowledgement link is unknown or no longer valid', [{ path: 'token', message: 'unknown or closed' }]);
