/**
 * SNS subscription filter policies, evaluated the way SNS does: keys are ANDed, the values listed for a key are ORed,
 * `$or` ORs whole alternatives, and a message that lacks a key fails it unless the rule is `{"exists": false}`.
 * Rules: exact strings and numbers, `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (a value, a list, or
 * `{prefix}`), `numeric` comparisons and ranges, `exists`. With scope `MessageBody`, keys nest.
 * Values are typed as in SNS: a String attribute "5" never equals the number 5, and `numeric` only sees numbers.
 */

export type FilterScope = 'MessageAttributes' | 'MessageBody';
/** A message attribute as published: `type` is the DataType (`String`, `String.Array`, `Number`, `Binary`, with any custom suffix). */
export type AttributeValue = { type: string; value: string };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
type Scalar = null | boolean | number | string;

// SNS limits (subscription-filter-policy-constraints): at most 5 keys and 150 value combinations per policy.
const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
const LOWER = ['>', '>='];
const UPPER = ['<', '<='];

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Check a policy against the SNS grammar and limits. Throws an Error whose message says what is wrong; the emulator
 * returns it as InvalidParameter.
 * @example
 * validateFilterPolicy({ siteId: [{ prefix: 'store-' }] }, 'MessageAttributes'); // passes
 * validateFilterPolicy({ siteId: 'store-1' }, 'MessageAttributes'); // throws: Match value for key siteId must be an array
 */
export function validateFilterPolicy(policy: unknown, scope: FilterScope): void {
  if (!isObject(policy)) throw new Error('Filter policy must be a JSON object');
  const { keys, combinations } = checkNode(policy, scope);
  if (keys > MAX_KEYS) throw new Error(`Filter policy can not have more than ${MAX_KEYS} keys`);
  if (combinations > MAX_COMBINATIONS) throw new Error(`Filter policy is too complex: more than ${MAX_COMBINATIONS} value combinations`);
}

/** Check every rule under `node`; count its leaf keys and its value combinations (product over ANDed keys, sum over `$or`). */
function checkNode(node: JsonObject, scope: FilterScope): { keys: number; combinations: number } {
  let keys = 0;
  let combinations = 1;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$or') {
      if (!Array.isArray(v) || v.length < 2 || !v.every(isObject)) throw new Error('$or must be an array of at least two objects');
      const alternatives = v.map((alt) => checkNode(alt, scope));
      keys += Math.max(...alternatives.map((a) => a.keys));
      combinations *= alternatives.reduce((n, a) => n + a.combinations, 0);
    } else if (Array.isArray(v)) {
      if (v.length === 0) throw new Error(`Empty array for key ${k}`);
      for (const rule of v) checkRule(k, rule);
      keys += 1;
      combinations *= v.length;
    } else if (isObject(v) && scope === 'MessageBody') {
      const inner = checkNode(v, scope);
      keys += inner.keys;
      combinations *= inner.combinations;
    } else {
      throw new Error(`Match value for key ${k} must be an array`);
    }
  }
  return { keys, combinations };
}

function checkRule(key: string, rule: Json): void {
  if (Array.isArray(rule)) throw new Error(`Nested arrays are not allowed for key ${key}`);
  if (!isObject(rule)) return;
  const ops = Object.entries(rule);
  const [op, arg] = ops[0] ?? ['', null];
  if (ops.length !== 1) throw new Error(`Each rule for key ${key} must have exactly one operator`);
  const malformed = () => new Error(`Malformed ${op} rule for key ${key}`);
  switch (op) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof arg !== 'string' || arg === '') throw malformed();
      return;
    case 'exists':
      if (typeof arg !== 'boolean') throw malformed();
      return;
    case 'anything-but': {
      const scalar = (x: Json) => typeof x === 'string' || typeof x === 'number';
      const ok = Array.isArray(arg)
        ? arg.length > 0 && arg.every(scalar)
        : isObject(arg)
          ? Object.keys(arg).length === 1 && typeof arg.prefix === 'string' && arg.prefix !== ''
          : scalar(arg);
      if (!ok) throw malformed();
      return;
    }
    case 'numeric': {
      if (!Array.isArray(arg) || !arg.every((x, i) => (i % 2 === 0 ? typeof x === 'string' : typeof x === 'number' && Number.isFinite(x))))
        throw malformed();
      const [op1, v1, op2, v2] = arg as [string, number, string?, number?];
      const single = arg.length === 2 && ['=', ...LOWER, ...UPPER].includes(op1);
      // A range is a lower bound then an upper bound, as SNS requires.
      const range = arg.length === 4 && LOWER.includes(op1) && UPPER.includes(op2 ?? '') && v1 < (v2 ?? Number.NaN);
      if (!single && !range) throw malformed();
      return;
    }
    default:
      throw new Error(`Unrecognized match type ${op} for key ${key}`);
  }
}

/** The values a message offers for one key: an array (String.Array, or a list in the body) offers each element. */
const offered = (v: unknown): Scalar[] =>
  Array.isArray(v) ? v.flatMap(offered) : v === null || ['string', 'number', 'boolean'].includes(typeof v) ? [v as Scalar] : [];

const compare = (x: number, op: string, bound: number) =>
  op === '=' ? x === bound : op === '<' ? x < bound : op === '<=' ? x <= bound : op === '>' ? x > bound : x >= bound;

function ruleMatches(rule: Json, values: Scalar[], present: boolean): boolean {
  if (!isObject(rule)) return values.includes(rule as Scalar);
  const [op, arg] = Object.entries(rule)[0] ?? ['', null];
  if (op === 'exists') return arg === present;
  const strings = values.filter((v): v is string => typeof v === 'string');
  switch (op) {
    case 'prefix':
      return strings.some((v) => v.startsWith(arg as string));
    case 'suffix':
      return strings.some((v) => v.endsWith(arg as string));
    case 'equals-ignore-case':
      return strings.some((v) => v.toLowerCase() === (arg as string).toLowerCase());
    case 'anything-but': {
      if (isObject(arg)) return strings.some((v) => !v.startsWith(arg.prefix as string));
      const banned = (Array.isArray(arg) ? arg : [arg]) as Scalar[];
      // Any one value outside the list is enough: SNS documents that [100, 50] passes anything-but [100, 500].
      return values.some((v) => !banned.includes(v));
    }
    case 'numeric': {
      const cond = arg as (string | number)[];
      return values.some((v) => typeof v === 'number' && cond.every((c, i) => i % 2 === 1 || compare(v, c as string, cond[i + 1] as number)));
    }
    default:
      return false;
  }
}

function nodeMatches(policy: JsonObject, data: Record<string, unknown>): boolean {
  return Object.entries(policy).every(([k, v]) => {
    if (k === '$or') return (v as JsonObject[]).some((alt) => nodeMatches(alt, data));
    const present = Object.hasOwn(data, k);
    // A nested policy over a missing or non-object value sees no keys, so only `exists: false` rules can pass.
    if (isObject(v)) return nodeMatches(v, isObject(data[k]) ? (data[k] as Record<string, unknown>) : {});
    const values = present ? offered(data[k]) : [];
    return (v as Json[]).some((rule) => ruleMatches(rule, values, present));
  });
}

/** The attributes as SNS filters them: String.Array as its elements, Number as a number; Binary takes no part. */
function attributeData(attributes: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attributes).flatMap(([k, a]): [string, unknown][] => {
      if (a.type === 'String.Array') {
        try {
          return [[k, JSON.parse(a.value) as unknown]];
        } catch {
          return [[k, a.value]];
        }
      }
      if (a.type.startsWith('Number')) return [[k, Number(a.value)]];
      return a.type.startsWith('String') ? [[k, a.value]] : [];
    }),
  );
}

/**
 * Does a message pass a subscription's filter policy? No policy passes everything; with scope `MessageBody`, a body
 * that is not a JSON object passes nothing.
 * @example
 * matchesFilterPolicy({ siteId: ['store-1'] }, { attributes: { siteId: { type: 'String', value: 'store-1' } }, body: '{}' }); // true
 * matchesFilterPolicy({ units: [{ numeric: ['>', 0, '<=', 150] }] }, { attributes: {}, body: '{"units":200}' }, 'MessageBody'); // false
 */
export function matchesFilterPolicy(
  policy: Record<string, unknown> | undefined,
  message: { attributes: Record<string, AttributeValue>; body: string },
  scope: FilterScope = 'MessageAttributes',
): boolean {
  if (!policy) return true;
  if (scope === 'MessageAttributes') return nodeMatches(policy as JsonObject, attributeData(message.attributes));
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return false;
  }
  return isObject(body) && nodeMatches(policy as JsonObject, body);
}
