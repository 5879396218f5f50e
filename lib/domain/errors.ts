import type { z } from 'zod';

/** One issue with a request, pointing at the field by its dotted path (`movements.3.gtin`). */
export type Issue = { path: string; message: string };

/**
 * zod issues as Issues, `prefix` before each path. An unknown field is named by its own path (`colour`, not the
 * object holding it), so every issue of a JSON object body points at a field.
 * @example issuesOf(error, ['movements', 3]) // [{ path: 'movements.3.gtin', message: 'GTIN check digit is wrong' }]
 */
export const issuesOf = (error: z.ZodError, prefix: (string | number)[] = []): Issue[] =>
  error.issues.flatMap((i) => {
    const at = (more: PropertyKey[]) => [...prefix, ...i.path, ...more].map(String).join('.');
    return i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: at([k]), message: 'is not a known field' }))
      : [{ path: at([]), message: i.message }];
  });

/** Every machine code the API can answer with, and its HTTP status. Mapped to HTTP in one place: lib/http. */
export const ERROR_STATUS = {
  validation_failed: 400,
  product_not_found: 404,
  site_not_found: 404,
  bin_not_found: 404,
  lot_not_found: 404,
  serial_not_found: 404,
  recall_not_found: 404,
  export_not_found: 404,
  sscc_not_found: 404,
  fda_request_not_found: 404,
  ack_token_not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  event_id_conflict: 409,
  insufficient_stock: 409,
  lot_blocked: 409,
  serial_in_stock: 409,
  serial_not_in_stock: 409,
  serial_wrong_lot: 409,
  expiry_mismatch: 409,
  invalid_state: 409,
  idempotency_key_reused: 409,
  recall_closed: 409,
  warranty_expired: 409,
  /** a warranty claim on a unit not sold (yet, on the day it was reported) */
  warranty_not_started: 409,
  payload_too_large: 413,
  too_many_actions: 422,
  busy: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error type of lotledger: a typed machine code, a human sentence and field-level details. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Issue[] = [],
    opts?: ErrorOptions,
  ) {
    super(message, opts);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
