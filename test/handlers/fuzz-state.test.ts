import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Deps, need } from '../../functions/deps.js';
import { lambdaContext, toApiGatewayEvent } from '../../infra/local/lambda-event.js';
import { ROUTES, type Route } from '../../infra/routes.js';
import { ERROR_STATUS, type ErrorCode } from '../../lib/domain/errors.js';
import { MOVEMENT_TYPES, REFERENCE_TYPES } from '../../lib/domain/movement.js';
import { notifyShard } from '../../lib/domain/recall-fanout.js';
import type { HttpHandler } from '../../lib/http/handler.js';
import { freshBucket, freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN } from '../support/fixtures.js';
import { MemoryShardQueue, notifierDeps } from '../support/recall-notifier.js';

/**
 * Every HTTP route, fuzzed from real state on DynamoDB Local: products, sites (some named like Object.prototype
 * members), lots, serials, a recall, an acknowledgement and an export exist first, all made through the handlers.
 * Generators mix the real ids with reserved names, number edges and lone surrogates. No answer may be a 5xx, every
 * 4xx carries the contract's error body (naming a field whenever a JSON object or a parameter is at fault), and at the
 * end every chain verifies and every lot's balances add up.
 */

const RESERVED = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;
const LONE = ['\uD800', 'x\uDFFF', 'ok\uD83D', '\uDC00\uD800'] as const;
const NOT_A_GTIN = '4006381333931'; // a valid GTIN-13 of no product here
const T0 = '2026-03-01T08:00:00Z';

/** A JSON number token JSON.stringify cannot write (it overflows or underflows a double). */
type Raw = { raw: string };
const raw = (token: string): Raw => ({ raw: token });
const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && 'raw' in v && Object.keys(v).length === 1;
/** JSON text with each Raw written as its bare token. */
const toJson = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) => (isRaw(x) ? `\u0001RAW${x.raw}\u0001` : x)).replace(/"\\u0001RAW([^"\\]+)\\u0001"/g, '$1');

const NUMBER_EDGES: (number | Raw)[] = [
  0,
  -0,
  1,
  -1,
  0.0001,
  0.001,
  1.5,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  1e9,
  1e9 + 1,
  1e308,
  -1e308,
  5e-324,
  raw('1e400'),
  raw('-1e400'),
  raw('1e-400'),
  raw('1E+999'),
];
const number = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -2, max: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBER_EDGES) },
  { weight: 1, arbitrary: fc.double() }, // NaN and ±Infinity travel as null
);
/** Mostly `valid`, often an edge: enough records pass to move real stock, and every edge comes up. */
const mostly = <T>(valid: fc.Arbitrary<T>, edges: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: edges });
const text = mostly(
  fc.constantFrom('x', 'Listeria', 'QA check', '\u{1F96C} romaine'),
  fc.oneof(fc.constantFrom(' ', '', '\u0000', '=cmd|', 'x'.repeat(5000), ...RESERVED, ...LONE), fc.string({ maxLength: 12, unit: 'binary' })),
);

/** The ids of the seeded state, then filled in by `seed`. */
const real = { recallId: '', mockRecallId: '', exportId: '' };
const SITE_IDS = ['dc-1', 'store-1', 'store-2', 'farm-1', 'dist-1', 'cust-1', ...RESERVED] as const;
const LOTS: [string, string][] = [
  [GTIN.romaine, 'L1'],
  [GTIN.tomato, 'T1'],
  [GTIN.saladKit, 'K1'],
  [GTIN.phone, 'P1'],
  [GTIN.romaine, '__proto__'],
  [GTIN.romaine, 'constructor'],
];
const gtin = mostly(
  fc.constantFrom<string>(GTIN.romaine, GTIN.tomato, GTIN.saladKit, GTIN.phone),
  fc.constantFrom(NOT_A_GTIN, '00614141000013', '', ...RESERVED, ...LONE),
);
const lot = mostly(
  fc.constantFrom<string>('L1', 'T1', 'K1', 'P1', '__proto__', 'constructor'),
  fc.constantFrom('NOPE', '', 'x'.repeat(21), 'a b', 'toString', ...LONE),
);
const serial = mostly(fc.constantFrom<string>('S1', 'S2', 'S5', 'S9'), fc.constantFrom('', ...RESERVED, ...LONE));
const siteId = mostly(fc.constantFrom<string>(...SITE_IDS), fc.constantFrom('nowhere', '', 'a/b', 'x'.repeat(65), ...LONE));
const date = mostly(
  fc.constantFrom('2026-03-01', '2026-03-20', '2026-02-28'),
  fc.constantFrom('2026-02-30', '2026-13-01', '', '99999-01-01', ...LONE),
);
const instant = mostly(
  fc.constantFrom(T0, '2026-03-01T10:00:00-05:00'),
  fc.constantFrom('2026-02-30T10:00:00Z', '2026-03-01T10:00:00', 'yesterday', ...LONE),
);
const eventId = mostly(
  fc.integer({ min: 0, max: 1_000_000 }).map((n) => `fz-${n}`),
  fc.constantFrom('seed-recv-L1', '', 'x'.repeat(129), ...RESERVED, ...LONE),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
/** Absent four times in five: a field most records do without. */
const rarely = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
const orJunk = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: a }, { weight: 1, arbitrary: fc.anything() });

const movement = fc.record(
  {
    eventId,
    type: orJunk(fc.constantFrom(...MOVEMENT_TYPES)),
    occurredAt: instant,
    gtin,
    lot,
    quantity: number,
    site: siteId,
    counterparty: maybe(siteId),
    expiry: rarely(date),
    serials: rarely(fc.array(serial, { minLength: 0, maxLength: 3 })),
    unitPrice: rarely(number),
    unitCost: rarely(number),
    reason: rarely(text),
    unit: rarely(text),
    tlcSourceReference: rarely(text),
    reference: rarely(fc.record({ type: orJunk(fc.constantFrom(...REFERENCE_TYPES)), number: text })),
    inputs: rarely(fc.array(fc.record({ gtin, lot, quantity: number }), { minLength: 0, maxLength: 3 })),
  },
  { requiredKeys: ['eventId', 'type', 'occurredAt', 'gtin', 'lot', 'quantity', 'site'] },
);
/** A record that fits the state (right kinds of site, stock that exists), so runs keep moving real stock. */
const INTERNAL = ['dc-1', 'store-1', 'store-2', ...RESERVED];
const plausible = fc
  .record({
    eventId: fc.integer({ min: 0, max: 1_000_000 }).map((n) => `fp-${n}`),
    type: fc.constantFrom('receive', 'receive', 'sell', 'transfer', 'ship', 'adjust'),
    item: fc.constantFrom<[string, string]>([GTIN.romaine, 'L1'], [GTIN.romaine, '__proto__'], [GTIN.saladKit, 'K1']),
    site: fc.constantFrom(...INTERNAL),
    to: fc.constantFrom(...INTERNAL),
    quantity: fc.integer({ min: 1, max: 6 }),
    unitPrice: rarely(fc.constantFrom(0, 0.0001, 2.5, 1e9)),
  })
  .map(({ item: [g, l], type, site, to, quantity, ...rest }) => ({
    ...rest,
    type,
    gtin: g,
    lot: l,
    occurredAt: T0,
    site: type === 'transfer' || type === 'ship' ? 'dc-1' : site,
    quantity: type === 'adjust' ? quantity - 4 || 1 : quantity,
    ...(type === 'receive' ? { counterparty: 'farm-1' } : {}),
    ...(type === 'sell' ? { counterparty: 'cust-1' } : {}),
    ...(type === 'ship' ? { counterparty: 'dist-1' } : {}),
    ...(type === 'transfer' ? { counterparty: to === 'dc-1' ? 'store-1' : to } : {}),
  }));
const barcode = fc.oneof(
  fc.tuple(gtin, lot).map(([g, l]) => `(01)${g}(10)${l}`),
  fc.tuple(gtin, lot, serial).map(([g, l, s]) => `(01)${g}(21)${s}(10)${l}`),
  fc.tuple(gtin, lot, fc.integer({ min: 0, max: 99_999_999 })).map(([g, l, q]) => `(01)${g}(30)${q}(10)${l}`),
  fc.tuple(gtin, lot).map(([g, l]) => `]C101${g}10${l}`),
  text,
);
const scan = fc.record(
  {
    eventId,
    type: orJunk(fc.constantFrom(...MOVEMENT_TYPES)),
    site: siteId,
    counterparty: maybe(siteId),
    occurredAt: instant,
    data: barcode,
    reason: rarely(text),
    unitPrice: rarely(number),
    unitCost: rarely(number),
  },
  { requiredKeys: ['eventId', 'type', 'site', 'occurredAt', 'data'] },
);

/** A body for `route` built from the seeded state and the edges above; the caller mixes in arbitrary JSON. */
const BODIES: Partial<Record<string, fc.Arbitrary<unknown>>> = {
  'put-product': fc.record(
    { description: text, unit: maybe(text), ftl: maybe(orJunk(fc.boolean())), expiryAlertDays: maybe(number) },
    { requiredKeys: ['description'] },
  ),
  'put-site': fc.record(
    {
      kind: orJunk(fc.constantFrom('warehouse', 'store', 'supplier', 'distributor', 'customer')),
      name: text,
      phone: maybe(text),
      address: maybe(fc.record({ street: maybe(text), city: maybe(text), country: maybe(text) }, { requiredKeys: [] })),
      gln: maybe(fc.constantFrom('0614141000005', '0614141000006', ...LONE)),
      ffrn: maybe(text),
      contact: maybe(fc.record({ email: maybe(fc.constantFrom('pat@example.com', 'no-at', ...LONE)), phone: maybe(text) }, { requiredKeys: [] })),
    },
    { requiredKeys: ['kind', 'name'] },
  ),
  'post-movements': fc.record({ movements: fc.array(fc.oneof(movement, plausible), { minLength: 1, maxLength: 4 }) }),
  'post-scans': fc.record({ scans: fc.array(scan, { minLength: 1, maxLength: 3 }) }),
  'post-lot-hold': fc.record({ reason: text }),
  'post-lot-release': fc.record({ reason: text }),
  'post-recalls': fc.record(
    {
      lots: fc.array(fc.record({ gtin, lot }), { minLength: 0, maxLength: 3 }),
      classification: orJunk(fc.constantFrom('I', 'II', 'III')),
      reason: text,
      hazard: maybe(text),
      instructions: maybe(text),
      depth: maybe(fc.constantFrom('consumer', 'retail', 'wholesale', ...RESERVED)),
      includeDownstream: maybe(fc.boolean()),
      // mostly mock: a real recall blocks its lots for the rest of the run
      mock: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: orJunk(fc.boolean()) }),
    },
    { requiredKeys: ['lots', 'classification', 'reason', 'mock'] },
  ),
  'post-recall-acknowledgements': fc.record(
    { siteId, quantityOnHand: number, quantityRemoved: number, note: maybe(text) },
    { requiredKeys: ['siteId', 'quantityOnHand', 'quantityRemoved'] },
  ),
  'post-exports': fc.record(
    { format: orJunk(fc.constantFrom('fsma204-csv', 'fsma204-xlsx', 'epcis-jsonld')), from: date, to: date, gtin: maybe(gtin), lot: maybe(lot) },
    { requiredKeys: ['format', 'from', 'to'] },
  ),
  'post-expiry-checks': fc.record({ asOf: maybe(date) }, { requiredKeys: [] }),
  'post-serial-warranty-claims': fc.record(
    {
      claimId: orJunk(fc.constantFrom('c-1', 'c-2', '', ...RESERVED)),
      reportedAt: instant,
      problem: text,
      resolution: maybe(orJunk(fc.constantFrom('repair', 'replace', 'refund'))),
      replacementSerial: maybe(serial),
    },
    { requiredKeys: ['claimId', 'reportedAt', 'problem'] },
  ),
};

const paramValue: Partial<Record<string, () => fc.Arbitrary<string>>> = {
  gtin: () => gtin,
  lot: () => lot,
  serial: () => serial,
  siteId: () => siteId,
  recallId: () => fc.constantFrom(real.recallId, real.mockRecallId, 'R-0123456789abcdef', '', 'x'.repeat(129), ...RESERVED, ...LONE),
  exportId: () => fc.constantFrom(real.exportId, 'X-nope', '', ...RESERVED, ...LONE),
};
const queryValue = fc.oneof(
  fc.constantFrom('1', '10', '1000', '1001', '0', '-1', '-0', '0.0001', '1e400', '9007199254740993', 'NaN', 'Infinity'),
  fc.constantFrom('forward', 'backward', 'true', 'false', GTIN.romaine, GTIN.phone, 'L1', 'P1', '2026-03-01', '2026-02-30', ''),
  fc.constantFrom(...RESERVED, ...LONE),
);
const query = fc.dictionary(
  fc.constantFrom('gtin', 'lot', 'limit', 'cursor', 'direction', 'from', 'to', 'quantity', 'asOf', 'movements', ...RESERVED),
  queryValue,
  { maxKeys: 4 },
);

/** How many runs each route gets; the ledger's writers more. */
const RUNS: Partial<Record<string, number>> = { 'post-movements': 400, 'post-scans': 200, 'put-site': 90, 'post-recalls': 70 };
const DEFAULT_RUNS = 65;
const runsOf = (r: Route) => RUNS[r.handler] ?? DEFAULT_RUNS;

let d: Deps & { exportFiles: NonNullable<Deps['exportFiles']> };
const shardQueue = new MemoryShardQueue();
const handlers = new Map<string, HttpHandler>();

/** The make* factory of a handler module (`post-recall-acknowledgements` → makePostRecallAcknowledgements) over `d`. */
async function handlerOf(name: string): Promise<HttpHandler> {
  const known = handlers.get(name);
  if (known) return known;
  const mod = (await import(`../../functions/${name}.ts`)) as Record<string, (deps: unknown) => HttpHandler>;
  const factory = mod[`make${name.replace(/(^|-)(\w)/g, (_m, _dash, c: string) => c.toUpperCase())}`];
  if (!factory) throw new Error(`functions/${name}.ts has no make* factory`);
  const h = factory(d);
  handlers.set(name, h);
  return h;
}

type Answer = { status: number; body: unknown; contentType: string };

/** Call a route as API Gateway would: path and query parameters decoded, lone surrogates and all. */
async function send(
  route: Route,
  params: Record<string, string>,
  q: Record<string, string>,
  body: string | undefined,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const event: APIGatewayProxyEventV2 = toApiGatewayEvent({
    method: route.method,
    url: '/',
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(body ?? ''),
    routeKey: `${route.method} ${route.path}`,
  });
  event.rawPath = route.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent((params[n] ?? '').toWellFormed()));
  if (Object.keys(params).length) event.pathParameters = params;
  if (Object.keys(q).length) event.queryStringParameters = q;
  const res = (await (await handlerOf(route.handler))(event, lambdaContext(route.handler))) as APIGatewayProxyStructuredResultV2;
  const contentType = String(res.headers?.['content-type'] ?? '');
  const text = res.body ?? '';
  return { status: res.statusCode ?? 200, contentType, body: contentType.startsWith('application/json') ? JSON.parse(text) : text };
}

const routeOf = (method: string, path: string) => {
  const r = ROUTES.find((x) => x.method === method && x.path === path);
  if (!r) throw new Error(`no route ${method} ${path}`);
  return r;
};
/** Call `method path` with literal parameters and a JSON body during seeding; it must answer 2xx. */
async function seedCall(method: string, path: string, params: Record<string, string>, body?: unknown): Promise<Record<string, unknown>> {
  const r = await send(routeOf(method, path), params, {}, body === undefined ? undefined : JSON.stringify(body));
  expect(r.status, `${method} ${path} ${JSON.stringify(params)} -> ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body as Record<string, unknown>;
}
async function seedMovements(movements: Record<string, unknown>[]) {
  const r = (await seedCall('POST', '/movements', {}, { movements })) as { rejected: number; results: unknown[] };
  expect(r.rejected, JSON.stringify(r.results)).toBe(0);
}

async function seed() {
  for (const [g, description, unit] of [
    [GTIN.romaine, 'Romaine', 'case'],
    [GTIN.tomato, 'Tomato', 'case'],
    [GTIN.saladKit, 'Salad kit', 'ea'],
    [GTIN.phone, 'Handset', 'ea'],
  ] as const)
    await seedCall('PUT', '/products/{gtin}', { gtin: g }, { description, unit, ftl: g !== GTIN.phone, expiryAlertDays: 5 });
  const kinds = new Map([
    ['dc-1', 'warehouse'],
    ['farm-1', 'supplier'],
    ['dist-1', 'distributor'],
    ['cust-1', 'customer'],
  ]);
  for (const id of SITE_IDS)
    await seedCall(
      'PUT',
      '/sites/{siteId}',
      { siteId: id },
      { kind: kinds.get(id) ?? 'store', name: `Site ${id}`, contact: { email: 'ops@example.com' } },
    );
  const mv = (eventId: string, m: Record<string, unknown>) => ({ eventId, occurredAt: T0, site: 'dc-1', ...m });
  await seedMovements([
    mv('seed-recv-L1', { type: 'receive', gtin: GTIN.romaine, lot: 'L1', quantity: 200, counterparty: 'farm-1', expiry: '2026-03-20' }),
    mv('seed-recv-T1', { type: 'receive', gtin: GTIN.tomato, lot: 'T1', quantity: 100, counterparty: 'farm-1', expiry: '2026-03-04' }),
    mv('seed-recv-P1', {
      type: 'receive',
      gtin: GTIN.phone,
      lot: 'P1',
      quantity: 5,
      serials: ['S1', 'S2', 'S3', 'S4', 'S5'],
      counterparty: 'farm-1',
    }),
    mv('seed-recv-proto', { type: 'receive', gtin: GTIN.romaine, lot: '__proto__', quantity: 20, counterparty: 'farm-1' }),
    mv('seed-recv-ctor', { type: 'receive', gtin: GTIN.romaine, lot: 'constructor', quantity: 20, counterparty: 'farm-1' }),
  ]);
  await seedMovements([
    ...['store-1', 'store-2', ...RESERVED].map((to, i) =>
      mv(`seed-xfer-${i}`, { type: 'transfer', gtin: GTIN.romaine, lot: 'L1', quantity: 10, counterparty: to }),
    ),
    mv('seed-kit', {
      type: 'transform',
      gtin: GTIN.saladKit,
      lot: 'K1',
      quantity: 20,
      inputs: [
        { gtin: GTIN.romaine, lot: 'L1', quantity: 4 },
        { gtin: GTIN.tomato, lot: 'T1', quantity: 4 },
      ],
    }),
    mv('seed-xfer-S1', { type: 'transfer', gtin: GTIN.phone, lot: 'P1', quantity: 1, serials: ['S1'], counterparty: RESERVED[0] }),
  ]);
  await seedMovements([
    ...RESERVED.map((at, i) => mv(`seed-sell-${i}`, { type: 'sell', gtin: GTIN.romaine, lot: 'L1', quantity: 1, site: at, counterparty: 'cust-1' })),
    mv('seed-sell-S1', { type: 'sell', gtin: GTIN.phone, lot: 'P1', quantity: 1, serials: ['S1'], site: RESERVED[0], counterparty: 'cust-1' }),
  ]);
  const recall = await seedCall(
    'POST',
    '/recalls',
    {},
    { lots: [{ gtin: GTIN.tomato, lot: 'T1' }], classification: 'II', reason: 'Listeria', hazard: 'Illness', instructions: 'Remove' },
  );
  real.recallId = String(recall.recallId);
  // The notifier writes the notices (the queue's consumer in the cloud and on the local stack).
  const notifier = notifierDeps(d);
  for (const m of shardQueue.take()) await notifyShard(notifier.send, m.recallId, m.shard);
  const mock = await seedCall(
    'POST',
    '/recalls',
    {},
    { lots: [{ gtin: GTIN.romaine, lot: 'L1' }], classification: 'I', reason: 'drill', mock: true },
  );
  real.mockRecallId = String(mock.recallId);
  await seedCall(
    'POST',
    '/recalls/{recallId}/acknowledgements',
    { recallId: real.recallId },
    { siteId: 'dc-1', quantityOnHand: 96, quantityRemoved: 96 },
  );
  const exp = await seedCall('POST', '/exports', {}, { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' });
  real.exportId = String(exp.exportId);
  await seedCall('POST', '/lots/{gtin}/{lot}/hold', { gtin: GTIN.romaine, lot: 'constructor' }, { reason: 'QA check' });
}

beforeAll(async () => {
  const t = await freshTable('fuzz');
  const bucket = await freshBucket('fuzz');
  d = {
    ...need(depsFor(t.doc, t.tableName, undefined, { s3: bucket.s3, env: { EXPORT_BUCKET: bucket.bucket } }), 'exportFiles'),
    queue: { send: async () => undefined },
    shardQueue,
  };
  await seed();
}, 120_000);

const CODES = new Set(Object.keys(ERROR_STATUS));
const UNKNOWN_FIELD = 'is not a known field';
type ErrorBody = { error?: { code?: unknown; message?: unknown; details?: { path?: unknown; message?: unknown }[] } };
type RecordResult = { status: string; code?: string; errors?: { path?: unknown; message?: unknown }[] };

/** The contract's error body, its code matching the status, and a named field when a JSON object or a parameter is at fault. */
function expectErrorBody(a: Answer, sentObject: boolean, what: string) {
  const e = (a.body as ErrorBody).error;
  expect(e, what).toBeDefined();
  expect(CODES.has(String(e?.code)), what).toBe(true);
  expect(ERROR_STATUS[e?.code as ErrorCode], what).toBe(a.status);
  expect(typeof e?.message === 'string' && e.message.length > 0, what).toBe(true);
  expect(Array.isArray(e?.details), what).toBe(true);
  for (const x of e?.details ?? []) expect([typeof x.path, typeof x.message], what).toEqual(['string', 'string']);
  if (e?.code === 'validation_failed') {
    expect(e.details?.length, what).toBeGreaterThan(0);
    // an unknown field named "" is the one field whose dotted path is empty
    if (sentObject) for (const x of e.details ?? []) if (x.message !== UNKNOWN_FIELD) expect(x.path, what).not.toBe('');
  }
}

/** Records the fuzz got accepted: the runs change the state they start from. */
let accepted = 0;

/** Per-record results of a batch: known codes, never busy in a one-writer run, validation naming the field. */
function expectBatchBody(a: Answer, what: string) {
  const results = (a.body as { results?: RecordResult[] }).results ?? [];
  for (const r of results) {
    if (r.status === 'accepted') accepted++;
    expect(['accepted', 'duplicate', 'rejected'], what).toContain(r.status);
    if (r.status !== 'rejected') continue;
    expect(CODES.has(String(r.code)) && r.code !== 'busy', `${what}: ${JSON.stringify(r)}`).toBe(true);
    expect(r.errors?.length, what).toBeGreaterThan(0);
    if (r.code === 'validation_failed') for (const x of r.errors ?? []) expect(x.path, what).not.toBe('');
  }
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

describe('every route, fuzzed from real state', () => {
  it(`runs at least 2,000 cases over the ${ROUTES.length} routes`, () => {
    expect(ROUTES.reduce((n, r) => n + runsOf(r), 0)).toBeGreaterThanOrEqual(2000);
  });

  for (const [i, route] of ROUTES.entries()) {
    it(`${route.method} ${route.path}: no 5xx, and every 4xx says which field`, async () => {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      const params = fc.record(Object.fromEntries(names.map((n) => [n, paramValue[n]?.() ?? text])) as Record<string, fc.Arbitrary<string>>);
      const shaped = BODIES[route.handler];
      const body = fc.oneof(
        { weight: shaped ? 8 : 1, arbitrary: (shaped ?? fc.object()).map((b) => ({ value: b as unknown, text: toJson(b) })) },
        { weight: 1, arbitrary: fc.json().map((t) => ({ value: JSON.parse(t) as unknown, text: t })) },
        { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"', '{"__proto__":{"x":1}}').map((t) => ({ value: undefined, text: t })) },
      );
      const headers = fc.constantFrom<Record<string, string>>(
        {},
        { accept: 'text/csv' },
        { 'idempotency-key': 'k-1' },
        { 'idempotency-key': '__proto__' },
      );
      await fc.assert(
        fc.asyncProperty(params, query, body, headers, async (p, q, b, h) => {
          const sent = route.method === 'GET' ? undefined : b.text;
          const a = await send(route, p, q, sent, h);
          const what = `${route.method} ${route.path} ${JSON.stringify(p)} ?${JSON.stringify(q)} ${(sent ?? '').slice(0, 300)} -> ${a.status} ${JSON.stringify(a.body).slice(0, 500)}`;
          expect(a.status, what).toBeLessThan(500);
          if (a.status >= 400) expectErrorBody(a, route.method === 'GET' || isObject(b.value), what);
          else if (route.handler === 'post-movements' || route.handler === 'post-scans') expectBatchBody(a, what);
        }),
        { numRuns: runsOf(route), seed: 1200 + i, endOnFailure: true },
      );
      // each accepted movement is chained before the answer here (ChainingLedgerStore): two more requests per write
    }, 180_000);
  }

  it('leaves the ledger consistent: every chain verifies, balances add up, and each lot lists as many movements as its seq', async () => {
    expect(accepted).toBeGreaterThanOrEqual(100);
    const verify = await send(routeOf('GET', '/ledger/verify'), {}, {}, undefined);
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true });
    for (const [g, l] of LOTS) {
      const r = await send(routeOf('GET', '/lots/{gtin}/{lot}'), { gtin: g, lot: l }, {}, undefined);
      expect(r.status, `${g}/${l}`).toBe(200);
      const view = r.body as { onHand: number; seq: number; balances: { siteId: string; quantity: number; received: number }[] };
      for (const b of view.balances) expect(b.quantity, `${l} at ${b.siteId}`).toBeGreaterThanOrEqual(0);
      const sum = view.balances.reduce((n, b) => n + b.quantity, 0);
      expect(Math.abs(sum - view.onHand), `${l}: balances ${sum}, onHand ${view.onHand}`).toBeLessThan(1e-6);
      let listed = 0;
      let cursor: string | undefined;
      do {
        const page = await send(
          routeOf('GET', '/lots/{gtin}/{lot}/movements'),
          { gtin: g, lot: l },
          { limit: '1000', ...(cursor ? { cursor } : {}) },
          undefined,
        );
        expect(page.status).toBe(200);
        const body = page.body as { items: unknown[]; nextCursor?: string };
        listed += body.items.length;
        cursor = body.nextCursor;
      } while (cursor);
      expect(listed, `${g}/${l}`).toBe(view.seq);
    }
  });
});
