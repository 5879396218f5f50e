import { describe, expect, it } from 'vitest';
import { type AttributeValue, matchesFilterPolicy, validateFilterPolicy } from '../../infra/local/sns-filter-policy.js';

/** A message whose attributes are typed as the SDK would send them: strings, numbers, and arrays as String.Array. */
const msg = (attrs: Record<string, string | number | (string | number)[]>, body = '{}') => ({
  attributes: Object.fromEntries(
    Object.entries(attrs).map(([k, v]): [string, AttributeValue] => [
      k,
      Array.isArray(v)
        ? { type: 'String.Array', value: JSON.stringify(v) }
        : typeof v === 'number'
          ? { type: 'Number', value: String(v) }
          : { type: 'String', value: v },
    ]),
  ),
  body,
});
const body = (json: unknown) => msg({}, JSON.stringify(json));
/** Which of the named messages pass the policy. */
const passing = (policy: Record<string, unknown>, messages: Record<string, ReturnType<typeof msg>>, scope?: 'MessageBody') =>
  Object.entries(messages)
    .filter(([, m]) => matchesFilterPolicy(policy, m, scope))
    .map(([name]) => name);

describe('matchesFilterPolicy', () => {
  it('ORs the values of a key, ANDs the keys, and fails a message that lacks a key', () => {
    // Prepare
    const policy = { audience: ['store', 'warehouse'], eventType: ['recall.notice'] };
    const messages = {
      store: msg({ audience: 'store', eventType: 'recall.notice' }),
      warehouse: msg({ audience: 'warehouse', eventType: 'recall.notice' }),
      customer: msg({ audience: 'customer', eventType: 'recall.notice' }),
      noEvent: msg({ audience: 'store' }),
    };
    // Act
    const passed = passing(policy, messages);
    // Assess
    expect(passed).toEqual(['store', 'warehouse']);
  });

  it('lets a message through when the subscription has no policy', () => {
    // Act
    const passed = matchesFilterPolicy(undefined, msg({}));
    // Assess
    expect(passed).toBe(true);
  });

  it('keeps types apart: a number rule matches Number attributes, never the string "5"', () => {
    // Prepare
    const messages = { number: msg({ units: 5 }), string: msg({ units: '5' }) };
    // Act
    const exact = passing({ units: [5] }, messages);
    const numeric = passing({ units: [{ numeric: ['=', 5] }] }, messages);
    const text = passing({ units: ['5'] }, messages);
    // Assess
    expect(exact).toEqual(['number']);
    expect(numeric).toEqual(['number']);
    expect(text).toEqual(['string']);
  });

  it('compares numeric ranges with open and closed bounds', () => {
    // Prepare
    const policy = { units: [{ numeric: ['>', 0, '<=', 150] }] };
    const messages = {
      zero: msg({ units: 0 }),
      one: msg({ units: 1 }),
      top: msg({ units: 150 }),
      over: msg({ units: 150.5 }),
      word: msg({ units: 'many' }),
    };
    // Act
    const passed = passing(policy, messages);
    // Assess
    expect(passed).toEqual(['one', 'top']);
  });

  it('supports anything-but with a value, a list and a prefix, and still requires the key', () => {
    // Prepare
    const messages = { store: msg({ siteId: 'store-1' }), cust: msg({ siteId: 'cust-9' }), dc: msg({ siteId: 'dc-1' }), none: msg({}) };
    // Act
    const notDc = passing({ siteId: [{ 'anything-but': 'dc-1' }] }, messages);
    const notListed = passing({ siteId: [{ 'anything-but': ['dc-1', 'cust-9'] }] }, messages);
    const notCustomers = passing({ siteId: [{ 'anything-but': { prefix: 'cust-' } }] }, messages);
    // Assess
    expect(notDc).toEqual(['store', 'cust']);
    expect(notListed).toEqual(['store']);
    expect(notCustomers).toEqual(['store', 'dc']);
  });

  it('passes anything-but when any element of an array lies outside the list, as SNS documents', () => {
    // Prepare
    const policy = { price: [{ 'anything-but': [100, 500] }] };
    // Act
    const mixed = matchesFilterPolicy(policy, msg({ price: [100, 50] }));
    const allBanned = matchesFilterPolicy(policy, msg({ price: [100, 500] }));
    // Assess
    expect(mixed).toBe(true);
    expect(allBanned).toBe(false);
  });

  it('matches prefix, suffix and equals-ignore-case on strings only', () => {
    // Prepare
    const messages = { store: msg({ siteId: 'Store-12' }), number: msg({ siteId: 12 }) };
    // Act
    const prefix = passing({ siteId: [{ prefix: 'Store-' }] }, messages);
    const suffix = passing({ siteId: [{ suffix: '-12' }] }, messages);
    const anyCase = passing({ siteId: [{ 'equals-ignore-case': 'STORE-12' }] }, messages);
    // Assess
    expect([prefix, suffix, anyCase]).toEqual([['store'], ['store'], ['store']]);
  });

  it('checks presence with exists true and false', () => {
    // Prepare
    const messages = { with: msg({ recallId: 'R1' }), without: msg({ siteId: 'x' }) };
    // Act
    const present = passing({ recallId: [{ exists: true }] }, messages);
    const absent = passing({ recallId: [{ exists: false }] }, messages);
    // Assess
    expect(present).toEqual(['with']);
    expect(absent).toEqual(['without']);
  });

  it('ORs whole alternatives across keys with $or, also beside other keys', () => {
    // Prepare
    const policy = { eventType: ['recall.notice'], $or: [{ siteId: ['store-1'] }, { audience: ['customer'] }] };
    const messages = {
      site: msg({ eventType: 'recall.notice', siteId: 'store-1', audience: 'store' }),
      audience: msg({ eventType: 'recall.notice', siteId: 'cust-7', audience: 'customer' }),
      neither: msg({ eventType: 'recall.notice', siteId: 'store-2', audience: 'store' }),
      otherEvent: msg({ eventType: 'expiry', siteId: 'store-1' }),
    };
    // Act
    const passed = passing(policy, messages);
    // Assess
    expect(passed).toEqual(['site', 'audience']);
  });

  it('matches a String.Array attribute when any element matches', () => {
    // Prepare
    const messages = { urgent: msg({ tags: ['low', 'urgent'] }), calm: msg({ tags: ['low'] }), plain: msg({ tags: 'urgent' }) };
    // Act
    const passed = passing({ tags: ['urgent'] }, messages);
    // Assess
    expect(passed).toEqual(['urgent', 'plain']);
  });

  it('with MessageBody scope, matches nested keys, list elements and nested $or, and passes nothing for a non-JSON body', () => {
    // Prepare
    const policy = { recipient: { kind: ['store'], $or: [{ siteId: [{ prefix: 'store-' }] }, { region: ['north'] }] }, lots: ['L2'] };
    const messages = {
      store: body({ recipient: { kind: 'store', siteId: 'store-3' }, lots: ['L1', 'L2'] }),
      north: body({ recipient: { kind: 'store', siteId: 'dc-1', region: 'north' }, lots: ['L2'] }),
      customer: body({ recipient: { kind: 'customer', siteId: 'store-3' }, lots: ['L2'] }),
      otherLot: body({ recipient: { kind: 'store', siteId: 'store-3' }, lots: ['L1'] }),
      text: msg({}, 'not json'),
    };
    // Act
    const passed = passing(policy, messages, 'MessageBody');
    // Assess
    expect(passed).toEqual(['store', 'north']);
  });

  it('treats a nested key under a missing parent as absent', () => {
    // Prepare
    const policy = { recipient: { siteId: [{ exists: false }] } };
    // Act
    const noParent = matchesFilterPolicy(policy, body({ other: 1 }), 'MessageBody');
    const withKey = matchesFilterPolicy(policy, body({ recipient: { siteId: 'x' } }), 'MessageBody');
    // Assess
    expect(noParent).toBe(true);
    expect(withKey).toBe(false);
  });
});

describe('validateFilterPolicy', () => {
  it('accepts every rule the emulator implements', () => {
    // Prepare
    const policy = {
      a: ['x', 5, { prefix: 'p' }, { suffix: 's' }, { 'equals-ignore-case': 'X' }],
      b: [{ 'anything-but': ['x', 1] }, { 'anything-but': { prefix: 'q' } }],
      c: [{ numeric: ['>=', 0, '<', 10] }, { numeric: ['=', 3] }],
      $or: [{ d: [{ exists: true }] }, { e: [{ exists: false }] }],
    };
    // Act
    const check = () => validateFilterPolicy(policy, 'MessageAttributes');
    // Assess
    expect(check).not.toThrow();
  });

  it.each([
    ['a value that is not an array', { a: 'x' }, /must be an array/],
    ['an unknown operator', { a: [{ between: [1, 2] }] }, /Unrecognized match type between/],
    ['a numeric bound that is not a number', { a: [{ numeric: ['>', 'x'] }] }, /Malformed numeric/],
    ['a range with the bounds reversed', { a: [{ numeric: ['<', 10, '>', 0] }] }, /Malformed numeric/],
    ['anything-but with an unsupported object', { a: [{ 'anything-but': { suffix: 'x' } }] }, /Malformed anything-but/],
    ['$or with one alternative', { $or: [{ a: ['x'] }] }, /at least two/],
    ['nesting in attribute scope', { a: { b: ['x'] } }, /must be an array/],
    ['six keys', { a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] }, /more than 5 keys/],
    ['more than 150 value combinations', { a: [...Array(13).keys()], b: [...Array(12).keys()] }, /more than 150/],
  ])('rejects %s, saying why', (_what, policy, reason) => {
    // Act
    const check = () => validateFilterPolicy(policy, 'MessageAttributes');
    // Assess
    expect(check).toThrow(reason);
  });

  it('counts nested keys toward the limit of five with MessageBody scope', () => {
    // Prepare
    const policy = { a: { b: ['x'], c: ['x'], d: ['x'] }, e: { f: ['x'], g: ['x'], h: ['x'] } };
    // Act
    const check = () => validateFilterPolicy(policy, 'MessageBody');
    // Assess
    expect(check).toThrow(/more than 5 keys/);
  });
});
