import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makePostSerialWarrantyClaims } from '../../functions/post-serial-warranty-claims.js';
import type { ClaimRecord } from '../../lib/domain/claim-records.js';
import type { LedgerEntry, LotMeta, SerialState, StockHead } from '../../lib/domain/ledger.js';
import { documentClient } from '../../lib/store/document-client.js';
import { entryItem, metaItem, stockHeadItem } from '../../lib/store/dynamo-ledger-store.js';
import { keys } from '../../lib/store/keys.js';
import { depsFor } from '../support/deps.js';
import { GTIN } from '../support/fixtures.js';
import { call } from '../support/http.js';

type Item = Record<string, unknown>;
const doc = documentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(doc);
const d = depsFor(doc, 'tbl', undefined, { chain: 'deferred' }); // today is 2026-03-01
const handler = makePostSerialWarrantyClaims(d);

const AT = '2024-01-10T08:00:00.000Z';
const product = (gtin: string, more: Item = {}): Item => ({
  ...keys.product(gtin),
  entity: 'product',
  gtin,
  description: 'Handset X',
  unit: 'ea',
  ftl: false,
  expiryAlertDays: 7,
  createdAt: AT,
  updatedAt: AT,
  ...more,
});
const meta = (gtin: string, lot: string, status: LotMeta['status'] = 'active') =>
  metaItem({ gtin, lot, seq: 2, headHash: 'h'.repeat(64), status, statusVersion: status === 'active' ? 0 : 1, unit: 'ea', createdAt: AT });
const head = (gtin: string, lot: string, q: number, status: LotMeta['status'] = 'active') =>
  stockHeadItem({
    gtin,
    lot,
    siteId: 'store-1',
    q,
    r: 5,
    sold: 0,
    defectReturns: 0,
    serialsTotal: 5,
    serialsInStock: q,
    version: 3,
    lastAt: AT,
    status,
    statusVersion: status === 'active' ? 0 : 1,
  } satisfies StockHead);
const serial = (gtin: string, s: string, lot: string, status: SerialState['status'], seqs: number[]): Item => ({
  ...keys.serial(gtin, s),
  entity: 'serial',
  gtin,
  serial: s,
  lot,
  status,
  siteId: status === 'in-stock' ? 'store-1' : 'cust-1',
  refs: seqs.map((seq) => ({ lot, seq })),
  version: seqs.length,
});
const entry = (gtin: string, lot: string, seq: number, type: 'receive' | 'sell', occurredAt: string, serials: string[]): Item =>
  entryItem({
    gtin,
    lot,
    seq,
    prevHash: '0'.repeat(64),
    hash: String(seq).repeat(64).slice(0, 64),
    eventId: `${lot}-${seq}`,
    type,
    occurredAt,
    recordedAt: occurredAt,
    site: 'store-1',
    quantity: serials.length,
    unit: 'ea',
    serials,
    deltas: [{ siteId: 'store-1', quantity: type === 'sell' ? -serials.length : serials.length }],
  } satisfies LedgerEntry);
const storedClaim: ClaimRecord = {
  claimId: 'c-old',
  gtin: GTIN.phone,
  serial: 'A1',
  lot: 'V1',
  reportedAt: '2026-02-10T10:00:00Z',
  problem: 'no sound',
  warranty: { startsOn: '2026-01-31', endsOn: '2027-01-31' },
  recordedAt: '2026-02-10T10:00:01.000Z',
  requestHash: 'the hash of another body',
};

/**
 * The table: Handset X (12 months); lot V1 with A1 (sold 2026-01-31, one claim c-old), A0 (sold 2025-01-31) and S0
 * (in stock); lot V9 on hold with R1 in stock; R2 sold; a romaine unit T1 (no warranty) sold.
 */
const ITEMS: Item[] = [
  product(GTIN.phone, { warrantyMonths: 12 }),
  product(GTIN.romaine),
  { ...keys.site('store-1'), entity: 'site', siteId: 'store-1', kind: 'store', name: 'Store One' },
  meta(GTIN.phone, 'V1'),
  head(GTIN.phone, 'V1', 1),
  entry(GTIN.phone, 'V1', 1, 'receive', AT, ['A0', 'A1', 'S0']),
  entry(GTIN.phone, 'V1', 2, 'sell', '2026-01-31T15:00:00Z', ['A1']),
  entry(GTIN.phone, 'V1', 3, 'sell', '2025-01-31T15:00:00Z', ['A0']),
  serial(GTIN.phone, 'A1', 'V1', 'sold', [1, 2]),
  serial(GTIN.phone, 'A0', 'V1', 'sold', [1, 3]),
  serial(GTIN.phone, 'S0', 'V1', 'in-stock', [1]),
  { ...keys.claim(storedClaim, 'A1', 'c-old'), entity: 'claim', ...storedClaim },
  meta(GTIN.phone, 'V9', 'on-hold'),
  head(GTIN.phone, 'V9', 1, 'on-hold'),
  serial(GTIN.phone, 'R1', 'V9', 'in-stock', [1]),
  serial(GTIN.phone, 'R2', 'V9', 'sold', [1]),
  meta(GTIN.romaine, 'L1'),
  entry(GTIN.romaine, 'L1', 1, 'sell', '2026-02-01T10:00:00Z', ['T1']),
  serial(GTIN.romaine, 'T1', 'L1', 'sold', [1]),
];

const at = (k: Item | undefined) => ITEMS.find((i) => i.pk === k?.pk && i.sk === k?.sk);
/** The Query forms the stores send: `pk = :pk`, with `begins_with(sk, :x)` or `sk BETWEEN :a AND :b`. */
function query(input: { KeyConditionExpression?: string; ExpressionAttributeValues?: Item }) {
  const expr = input.KeyConditionExpression ?? '';
  const v = input.ExpressionAttributeValues ?? {};
  const names = [...expr.matchAll(/:\w+/g)].map((m) => m[0]);
  const [pk, a, b] = names.map((n) => String(v[n]));
  const inPartition = ITEMS.filter((i) => i.pk === pk).sort((x, y) => String(x.sk).localeCompare(String(y.sk)));
  if (expr.includes('begins_with')) return inPartition.filter((i) => String(i.sk).startsWith(a ?? ''));
  if (expr.includes('BETWEEN')) return inPartition.filter((i) => String(i.sk) >= (a ?? '') && String(i.sk) <= (b ?? ''));
  return inPartition;
}

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).callsFake((input: { Key?: Item }) => ({ Item: at(input.Key) }));
  ddb.on(QueryCommand).callsFake((input) => {
    const items = query(input);
    return { Items: items, Count: items.length };
  });
  ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Item[] }> }) => ({
    Responses: Object.fromEntries(Object.entries(input.RequestItems).map(([t, r]) => [t, r.Keys.map(at).filter((i): i is Item => i !== undefined)])),
  }));
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
});

const post = (s: string, body: unknown, gtin: string = GTIN.phone) => call(handler, 'POST', `/serials/${gtin}/${s}/warranty-claims`, body);
const body = (more: Item = {}) => ({ claimId: 'c-new', reportedAt: '2026-02-20T10:00:00-05:00', problem: 'does not charge', ...more });
const nothingWritten = () => {
  expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  expect(ddb).not.toHaveReceivedCommand(PutCommand);
  expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
};

describe('POST /serials/{gtin}/{serial}/warranty-claims', () => {
  it('writes the claim in the lot partition in one conditional transaction (the control for every refusal below)', async () => {
    const r = await post('A1', body());
    expect(r).toMatchObject({ status: 201, body: { claimId: 'c-new', lot: 'V1', warranty: { startsOn: '2026-01-31', endsOn: '2027-01-31' } } });
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: expect.objectContaining({
            ConditionExpression: 'attribute_not_exists(pk)',
            Item: expect.objectContaining({ pk: `LOT#${GTIN.phone}#V1`, sk: 'CLAIM#A1#C#c-new', entity: 'claim' }),
          }),
        },
      ],
    });
  });

  it.each([
    ['a body without problem', 'A1', { claimId: 'c', reportedAt: '2026-02-20T10:00:00Z' }, 400, 'validation_failed', 'problem'],
    ['an unknown field', 'A1', body({ colour: 'red' }), 400, 'validation_failed', 'colour'],
    ['a bad resolution', 'A1', body({ resolution: 'swap' }), 400, 'validation_failed', 'resolution'],
    ['a replacement with a refund', 'A1', body({ resolution: 'refund', replacementSerial: 'R1' }), 400, 'validation_failed', 'replacementSerial'],
    ['a reportedAt in the future', 'A1', body({ reportedAt: '2026-03-05T10:00:00Z' }), 400, 'validation_failed', 'reportedAt'],
    ['a unit replacing itself', 'A1', body({ replacementSerial: 'A1' }), 400, 'validation_failed', 'replacementSerial'],
    ['an unknown serial', 'NOPE', body(), 404, 'serial_not_found', 'serial'],
    ['a unit out of warranty', 'A0', body(), 409, 'warranty_expired', 'reportedAt'],
    ['a unit not sold', 'S0', body(), 409, 'warranty_not_started', 'reportedAt'],
    ['a claim reported before the sale', 'A1', body({ reportedAt: '2026-01-30T10:00:00Z' }), 409, 'warranty_not_started', 'reportedAt'],
    ['a claimId used with another body', 'A1', body({ claimId: 'c-old' }), 409, 'idempotency_key_reused', 'claimId'],
    ['a replacement not in stock', 'A1', body({ replacementSerial: 'R2' }), 409, 'serial_not_in_stock', 'replacementSerial'],
    ['a replacement that is no unit of this GTIN', 'A1', body({ replacementSerial: 'T1' }), 409, 'serial_not_in_stock', 'replacementSerial'],
    ['a replacement from a lot on hold', 'A1', body({ replacementSerial: 'R1' }), 409, 'lot_blocked', 'replacementSerial'],
  ])('refuses %s and writes nothing', async (_what, s, b, status, code, path) => {
    const r = await post(s, b);
    expect(r).toMatchObject({ status, body: { error: { code } } });
    expect((r.body as { error: { details: { path: string }[] } }).error.details.map((x) => x.path)).toContain(path);
    nothingWritten();
  });

  it('refuses a claim on a product without warrantyMonths and writes nothing', async () => {
    const r = await post('T1', body(), GTIN.romaine);
    expect(r).toMatchObject({ status: 409, body: { error: { code: 'invalid_state', details: [{ path: 'gtin' }] } } });
    nothingWritten();
  });

  it('refuses a bad GTIN in the path naming it', async () => {
    const r = await post('A1', body(), '00614141000013');
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: [{ path: 'gtin' }] } } });
    nothingWritten();
  });
});
