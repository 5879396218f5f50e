import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { AppError, type Issue, issuesOf } from '../domain/errors.js';
import { NOT_WELL_FORMED } from '../domain/ids.js';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

/** A JSON response. */
export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

/** Map any error to the contract's error body; internal errors never leak their message. */
export const toHttp = (e: unknown): HttpResult =>
  e instanceof AppError
    ? json(e.status, { error: { code: e.code, message: e.message, details: e.details } })
    : json(500, { error: { code: 'internal', message: 'Internal error', details: [] } });

/** Decode the raw body of an HTTP API event (it may be base64). */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** Parse and validate a JSON body. Malformed JSON is a 400, and zod issues become `details[].path`.
 * @example parseBody(ProductInput, event) // throws AppError('validation_failed') naming each bad field
 */
export function parseBody<S extends z.ZodType>(schema: S, event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): z.output<S> {
  return parseValue(schema, readJson(event));
}

/** The request's JSON body: 400 when it is missing or malformed. */
function readJson(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): unknown {
  const text = rawBody(event);
  let raw: unknown;
  try {
    raw = JSON.parse(text === '' ? 'null' : text);
  } catch (cause) {
    throw new AppError('validation_failed', 'Body is not valid JSON', [{ path: '', message: 'malformed JSON' }], { cause });
  }
  if (raw === null) throw new AppError('validation_failed', 'A JSON body is required', [{ path: '', message: 'body is required' }]);
  return raw;
}

/**
 * The body of a PUT of a record the path names, as a client that read it (GET) and edited it sends it back: the
 * record's own id (`idField`) is accepted when it matches the path, and the read-only timestamps are ignored.
 * @example parseRecordBody(ProductInput, event, 'gtin', gtin, GtinSchema) // a GET body with gtin, createdAt, updatedAt passes
 */
export function parseRecordBody<S extends z.ZodType>(
  schema: S,
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
  idField: string,
  id: string,
  /** the path parameter's schema: the body's id is compared as the path's is read (a GTIN-12 is the GTIN-14 it pads to) */
  idSchema: z.ZodType,
): z.output<S> {
  const raw = readJson(event);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return parseValue(schema, raw);
  const body = { ...(raw as Record<string, unknown>) };
  if (Object.hasOwn(body, idField)) {
    if (idSchema.safeParse(body[idField]).data !== id)
      throw new AppError('validation_failed', `Invalid request: ${idField}: must be ${id}, the one in the path, when given`, [
        { path: idField, message: `must match the path (${id}) when given` },
      ]);
    delete body[idField];
  }
  for (const k of READ_ONLY) if (typeof body[k] === 'string') delete body[k];
  return parseValue(schema, body);
}
const READ_ONLY = ['createdAt', 'updatedAt'] as const;

/** Validate an already-decoded value, mapping zod issues to a 400. */
export function parseValue<S extends z.ZodType>(schema: S, raw: unknown, prefix: (string | number)[] = []): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const details = issuesOf(r.error, prefix);
  throw new AppError('validation_failed', describeIssues(details), details);
}

/** Validate one path or query parameter; its name becomes the detail's path. A lone surrogate is refused whatever the schema. */
export function parseParam<S extends z.ZodType>(schema: S, name: string, raw: string | undefined): z.output<S> {
  const value = raw === undefined ? undefined : safeDecode(raw);
  if (value !== undefined && !value.isWellFormed())
    throw new AppError('validation_failed', describeIssues([{ path: name, message: NOT_WELL_FORMED }]), [{ path: name, message: NOT_WELL_FORMED }]);
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ path: name, message: i.message }));
  throw new AppError('validation_failed', describeIssues(details), details);
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** One readable sentence out of the first few issues, e.g. `Invalid request: gtin: GTIN check digit is wrong`. */
export function describeIssues(issues: Issue[]): string {
  const head = issues
    .slice(0, 3)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
  return issues.length > 3 ? `Invalid request: ${head}; and ${issues.length - 3} more` : `Invalid request: ${head}`;
}
