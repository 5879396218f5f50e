import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { GtinSchema, LotSchema, TextSchema, UnicodeString } from '../domain/ids.js';
import type { LotKey } from '../domain/ledger.js';
import { parseParam } from './http.js';

/** `{gtin}` and `{lot}` of a /lots/{gtin}/{lot}/... route, validated. */
export const lotKeyOf = (event: APIGatewayProxyEventV2): LotKey => ({
  gtin: parseParam(GtinSchema, 'gtin', event.pathParameters?.gtin),
  lot: parseParam(LotSchema, 'lot', event.pathParameters?.lot),
});

/** An optional query parameter, validated. */
export const queryParam = <S extends z.ZodType>(event: APIGatewayProxyEventV2, name: string, schema: S): z.output<S> | undefined => {
  const raw = event.queryStringParameters?.[name];
  return raw === undefined || raw === '' ? undefined : parseParam(schema, name, raw);
};

export const LimitSchema = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be 1-1000')
  .max(1000, 'must be 1-1000');

export const CursorSchema = UnicodeString().max(200, 'cursor is too long').describe('opaque: the nextCursor of the previous page');

export const ReasonBody = z.strictObject({ reason: TextSchema(500, { trim: true, error: 'is required' }) });

/** `limit`, `cursor` and `status` of a list route (GET /recalls, GET /exports), validated; absent ones left out. */
export function listParams<S extends string>(event: APIGatewayProxyEventV2, status: z.ZodType<S>): { limit?: number; cursor?: string; status?: S } {
  const limit = queryParam(event, 'limit', LimitSchema);
  const cursor = queryParam(event, 'cursor', CursorSchema);
  const s = queryParam(event, 'status', status);
  return { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}), ...(s ? { status: s } : {}) };
}
