import { sha256Hex } from './canonical.js';
import { AppError } from './errors.js';

/** base64url of 32 random bytes: 256 bits, at least the 128 the contract asks for. */
export const ACK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

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
