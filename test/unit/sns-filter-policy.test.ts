import { describe, expect, it } from 'vitest';
import { matchesFilterPolicy, validateFilterPolicy } from '../../infra/local/sns-filter-policy.js';

const msg = (attrs: Record<string, string | number | string[]>, body = '{}') => ({
  attributes: Object.fromEntries(
    Object.entries(attrs).map(([k, v]) => [
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

describe('SNS filter policies', () => {
  it('matches exact values, ORing the values of a key and ANDing keys', () => {
    const p = { audience: ['store', 'warehouse'], eventType: ['recall.notice'] };
    expect(matchesFilterPolicy(p, msg({ audience: 'store', eventType: 'recall.notice' }))).toBe(true);
    expect(matchesFilterPolicy(p, msg({ audience: 'customer', eventType: 'recall.notice' }))).toBe(false);
    expect(matchesFilterPolicy(p, msg({ audience: 'store' }))).toBe(false);
  });

  it('supports anything-but (value, list and prefix), prefix and suffix', () => {
    expect(matchesFilterPolicy({ audience: [{ 'anything-but': 'customer' }] }, msg({ audience: 'store' }))).toBe(true);
    expect(matchesFilterPolicy({ audience: [{ 'anything-but': ['customer', 'store'] }] }, msg({ audience: 'store' }))).toBe(false);
    expect(matchesFilterPolicy({ siteId: [{ 'anything-but': { prefix: 'cust-' } }] }, msg({ siteId: 'cust-9' }))).toBe(false);
    expect(matchesFilterPolicy({ siteId: [{ prefix: 'store-' }] }, msg({ siteId: 'store-12' }))).toBe(true);
    expect(matchesFilterPolicy({ siteId: [{ suffix: '-12' }] }, msg({ siteId: 'store-12' }))).toBe(true);
  });

  it('compares numbers and ranges only against numbers', () => {
    const p = { units: [{ numeric: ['>', 0, '<=', 150] }] };
    expect(matchesFilterPolicy(p, msg({ units: 150 }))).toBe(true);
    expect(matchesFilterPolicy(p, msg({ units: 151 }))).toBe(false);
    expect(matchesFilterPolicy(p, msg({ units: 'many' }))).toBe(false);
    expect(matchesFilterPolicy({ units: [5] }, msg({ units: 5 }))).toBe(true);
  });

  it('checks presence with exists, and a missing key fails every other rule', () => {
    expect(matchesFilterPolicy({ siteId: [{ exists: true }] }, msg({ siteId: 'x' }))).toBe(true);
    expect(matchesFilterPolicy({ siteId: [{ exists: false }] }, msg({}))).toBe(true);
    expect(matchesFilterPolicy({ siteId: [{ exists: false }] }, msg({ siteId: 'x' }))).toBe(false);
    expect(matchesFilterPolicy({ siteId: [{ 'anything-but': 'x' }] }, msg({}))).toBe(false);
  });

  it('ORs alternatives across keys with $or', () => {
    const p = { $or: [{ siteId: ['store-1'] }, { audience: ['customer'] }] };
    expect(matchesFilterPolicy(p, msg({ siteId: 'store-1', audience: 'store' }))).toBe(true);
    expect(matchesFilterPolicy(p, msg({ siteId: 'cust-7', audience: 'customer' }))).toBe(true);
    expect(matchesFilterPolicy(p, msg({ siteId: 'store-2', audience: 'store' }))).toBe(false);
  });

  it('matches any element of a String.Array attribute, and nested keys of the body with MessageBody scope', () => {
    expect(matchesFilterPolicy({ tags: ['urgent'] }, msg({ tags: ['a', 'urgent'] }))).toBe(true);
    const body = JSON.stringify({ recipient: { kind: 'store', siteId: 'store-3' }, classification: 'I' });
    expect(matchesFilterPolicy({ recipient: { kind: ['store'] }, classification: ['I'] }, msg({}, body), 'MessageBody')).toBe(true);
    expect(matchesFilterPolicy({ recipient: { kind: ['customer'] } }, msg({}, body), 'MessageBody')).toBe(false);
  });

  it('rejects malformed policies with a reason', () => {
    expect(() => validateFilterPolicy({ a: 'x' }, 'MessageAttributes')).toThrow(/must be an array/);
    expect(() => validateFilterPolicy({ a: [{ between: [1, 2] }] }, 'MessageAttributes')).toThrow(/Unrecognized match type/);
    expect(() => validateFilterPolicy({ a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] }, 'MessageAttributes')).toThrow(/more than 5 keys/);
    expect(() => validateFilterPolicy({ a: [{ numeric: ['>', 'x'] }] }, 'MessageAttributes')).toThrow(/malformed/);
  });
});
