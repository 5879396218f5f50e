import { AppError } from './errors.js';

/** Error names AWS services and the SDK give a throttled, overloaded or timed-out call. */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
]);
/** Node's codes of a connection that dropped or never came up. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

type ErrorShape = { name?: unknown; code?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: unknown } };

/**
 * Whether an error may pass on a later try: our own `busy`, throttling, a 5xx or 429 from a service, or the network.
 * Anything else (bad data, a 4xx, a bug) is final. Read from the error's shape, so the domain needs no AWS SDK.
 * @example isTransientError(new AppError('busy', 'The table kept returning unprocessed keys')) // true
 */
export function isTransientError(e: unknown): boolean {
  if (e instanceof AppError) return e.code === 'busy';
  if (typeof e !== 'object' || e === null) return false;
  const s = e as ErrorShape;
  const status = s.$metadata?.httpStatusCode;
  return (
    s.$retryable !== undefined ||
    (typeof s.name === 'string' && TRANSIENT_NAMES.has(s.name)) ||
    (typeof s.code === 'string' && NETWORK_CODES.has(s.code)) ||
    (typeof status === 'number' && (status >= 500 || status === 429))
  );
}
