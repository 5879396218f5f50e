/**
 * SNS subscription filter policies on message attributes, as far as the stack uses them: string allowlists
 * (`SubscriptionFilter.stringFilter({ allowlist })` in infra/lotledger-stack.ts). Keys are ANDed, the strings listed
 * for a key are ORed, and a message that lacks a key fails it. Only String attributes take part; operators
 * (`prefix`, `anything-but`, `numeric`, `exists`, `$or`, ...) and body-scoped policies are refused, not emulated.
 */

/** A message attribute as published: `type` is the DataType (`String`, `String.Array`, `Number`, `Binary`, with any custom suffix). */
export type AttributeValue = { type: string; value: string };

// SNS limits (subscription-filter-policy-constraints): at most 5 keys and 150 value combinations per policy.
const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Check a policy against the SNS grammar and limits, allowing exact strings only. Throws an Error whose message says
 * what is wrong; the emulator returns it as InvalidParameter.
 * @example
 * validateFilterPolicy({ siteId: ['store-1', 'store-2'] }); // passes
 * validateFilterPolicy({ siteId: 'store-1' }); // throws: Match value for key siteId must be an array
 */
export function validateFilterPolicy(policy: unknown): void {
  if (!isObject(policy)) throw new Error('Filter policy must be a JSON object');
  const lists = Object.entries(policy).map(([key, v]): [string, unknown[]] => {
    if (!Array.isArray(v)) throw new Error(`Match value for key ${key} must be an array`);
    if (v.length === 0) throw new Error(`Empty array for key ${key}`);
    return [key, v];
  });
  if (lists.length > MAX_KEYS) throw new Error(`Filter policy can not have more than ${MAX_KEYS} keys`);
  if (lists.reduce((n, [, v]) => n * v.length, 1) > MAX_COMBINATIONS)
    throw new Error(`Filter policy is too complex: more than ${MAX_COMBINATIONS} value combinations`);
  for (const [key, values] of lists) {
    for (const rule of values) {
      if (isObject(rule)) throw new Error(`Unrecognized match type ${Object.keys(rule)[0] ?? ''} for key ${key}`);
      if (typeof rule !== 'string') throw new Error(`Match values for key ${key} must be strings`);
    }
  }
}

/** String and custom String.x attributes; String.Array, Number and Binary never match an allowlist here. */
const isString = (a: AttributeValue) => a.type.split('.')[0] === 'String' && a.type !== 'String.Array';

/**
 * Does a message pass a subscription's filter policy? No policy passes everything.
 * @example
 * matchesFilterPolicy({ siteId: ['store-1'] }, { siteId: { type: 'String', value: 'store-1' } }); // true
 * matchesFilterPolicy({ audience: ['customer'] }, { siteId: { type: 'String', value: 'store-1' } }); // false
 */
export function matchesFilterPolicy(policy: Record<string, string[]> | undefined, attributes: Record<string, AttributeValue>): boolean {
  if (!policy) return true;
  return Object.entries(policy).every(([key, allowed]) => {
    const a = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
    return a !== undefined && isString(a) && allowed.includes(a.value);
  });
}
