import { describe, expect, it } from 'vitest';
import { type AttributeValue, matchesFilterPolicy, validateFilterPolicy } from '../../infra/local/sns-filter-policy.js';

/** Message attributes typed as the SDK would send them: strings, numbers, and arrays as String.Array. */
const msg = (attrs: Record<string, string | number | (string | number)[]>) =>
  Object.fromEntries(
    Object.entries(attrs).map(([k, v]): [string, AttributeValue] => [
      k,
      Array.isArray(v)
        ? { type: 'String.Array', value: JSON.stringify(v) }
        : typeof v === 'number'
          ? { type: 'Number', value: String(v) }
          : { type: 'String', value: v },
    ]),
  );
/** Which of the named messages pass the policy. */
const passing = (policy: Record<string, string[]>, messages: Record<string, ReturnType<typeof msg>>) =>
  Object.entries(messages)
    .filter(([, m]) => matchesFilterPolicy(policy, m))
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

  it('matches String attributes only: a Number or String.Array of the same text does not pass', () => {
    // Prepare
    const messages = { string: msg({ siteId: '12' }), number: msg({ siteId: 12 }), array: msg({ siteId: ['12'] }) };
    // Act
    const passed = passing({ siteId: ['12'] }, messages);
    // Assess
    expect(passed).toEqual(['string']);
  });
});

describe('validateFilterPolicy', () => {
  it('accepts the string allowlists the stack builds', () => {
    // Prepare
    const policy = { siteId: ['store-101'], audience: ['customer', 'store'] };
    // Act
    const check = () => validateFilterPolicy(policy);
    // Assess
    expect(check).not.toThrow();
  });

  it.each([
    ['a value that is not an array', { a: 'x' }, /must be an array/],
    ['an empty allowlist', { a: [] }, /Empty array for key a/],
    ['an operator', { a: [{ between: [1, 2] }] }, /Unrecognized match type between/],
    ['a prefix rule, which the emulator does not implement', { siteId: [{ prefix: 'store-' }] }, /Unrecognized match type prefix/],
    ['a number', { a: [5] }, /must be strings/],
    ['nesting', { a: { b: ['x'] } }, /must be an array/],
    ['six keys', { a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] }, /more than 5 keys/],
    ['more than 150 value combinations', { a: [...Array(13).keys()], b: [...Array(12).keys()] }, /more than 150/],
  ])('rejects %s, saying why', (_what, policy, reason) => {
    // Act
    const check = () => validateFilterPolicy(policy);
    // Assess
    expect(check).toThrow(reason);
  });
});
