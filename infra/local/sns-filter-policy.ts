/**
 * SNS subscription filter policies, evaluated the way SNS does: keys are ANDed, the values listed for a key are ORed,
 * `$or` ORs whole alternatives, and a message that lacks a key fails it unless the rule is `{"exists": false}`.
 * Supported rules: exact strings and numbers, `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (a value, a
 * list, or `{prefix}`), `numeric` comparisons and ranges, `exists`. With scope `MessageBody`, keys nest.
 */

export type FilterScope = 'MessageAttributes' | 'MessageBody';
export type AttributeValue = { type: string; value: string };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Throws an Error whose message says what is wrong, for InvalidParameter replies. */
export function validateFilterPolicy(policy: unknown, scope: FilterScope): void {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) throw new Error('Filter policy must be a JSON object');
  const keys = countKeys(policy as Record<string, Json>, scope);
  if (keys > 5 && scope === 'MessageAttributes') throw new Error('Filter policy can not have more than 5 keys');
  checkNode(policy as Record<string, Json>, scope, 0);
}

function countKeys(node: Record<string, Json>, scope: FilterScope): number {
  let n = 0;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$or' && Array.isArray(v)) n += Math.max(...v.map((alt) => countKeys(alt as Record<string, Json>, scope)));
    else if (scope === 'MessageBody' && v && typeof v === 'object' && !Array.isArray(v)) n += countKeys(v as Record<string, Json>, scope);
    else n++;
  }
  return n;
}

function checkNode(node: Record<string, Json>, scope: FilterScope, depth: number) {
  for (const [k, v] of Object.entries(node)) {
    if (k === '$or') {
      if (!Array.isArray(v) || v.length < 2) throw new Error('$or must be an array of at least two objects');
      for (const alt of v) {
        if (!alt || typeof alt !== 'object' || Array.isArray(alt)) throw new Error('$or alternatives must be objects');
        checkNode(alt as Record<string, Json>, scope, depth);
      }
    } else if (Array.isArray(v)) {
      if (v.length === 0) throw new Error(`Empty array for key ${k}`);
      for (const rule of v) checkRule(k, rule);
    } else if (v && typeof v === 'object' && scope === 'MessageBody') {
      checkNode(v as Record<string, Json>, scope, depth + 1);
    } else {
      throw new Error(`Match value for key ${k} must be an array`);
    }
  }
}

function checkRule(key: string, rule: Json) {
  if (rule === null || typeof rule === 'string' || typeof rule === 'number' || typeof rule === 'boolean') return;
  if (Array.isArray(rule)) throw new Error(`Nested arrays are not allowed for key ${key}`);
  const ops = Object.keys(rule);
  if (ops.length !== 1) throw new Error(`Each rule for key ${key} must have exactly one operator`);
  const op = ops[0] as string;
  const arg = rule[op] as Json;
  switch (op) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw new Error(`${op} for key ${key} must be a string`);
      return;
    case 'exists':
      if (typeof arg !== 'boolean') throw new Error(`exists for key ${key} must be true or false`);
      return;
    case 'anything-but':
      if (
        Array.isArray(arg)
          ? arg.some((x) => typeof x !== 'string' && typeof x !== 'number')
          : typeof arg === 'object' && arg !== null
            ? !('prefix' in arg)
            : false
      )
        throw new Error(`anything-but for key ${key} is malformed`);
      return;
    case 'numeric': {
      if (!Array.isArray(arg) || arg.length % 2 !== 0 || arg.length === 0) throw new Error(`numeric for key ${key} must be [op, value, ...]`);
      for (let i = 0; i < arg.length; i += 2)
        if (!['=', '<', '<=', '>', '>='].includes(String(arg[i])) || typeof arg[i + 1] !== 'number')
          throw new Error(`numeric for key ${key} is malformed`);
      return;
    }
    default:
      throw new Error(`Unrecognized match type ${op} for key ${key}`);
  }
}

/** The values a message offers for one key: a String.Array attribute offers each element. */
function offered(v: unknown): (string | number | boolean | null)[] {
  if (Array.isArray(v)) return v.flatMap(offered);
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return [v];
  return [];
}

function ruleMatches(rule: Json, values: (string | number | boolean | null)[], present: boolean): boolean {
  if (rule === null || typeof rule !== 'object')
    return present && values.some((v) => v === rule || (typeof rule === 'number' && Number(v) === rule && v !== ''));
  const [op, arg] = Object.entries(rule)[0] as [string, Json];
  if (op === 'exists') return arg === present;
  if (!present) return false;
  switch (op) {
    case 'prefix':
      return values.some((v) => typeof v === 'string' && v.startsWith(arg as string));
    case 'suffix':
      return values.some((v) => typeof v === 'string' && v.endsWith(arg as string));
    case 'equals-ignore-case':
      return values.some((v) => typeof v === 'string' && v.toLowerCase() === (arg as string).toLowerCase());
    case 'anything-but': {
      if (arg && typeof arg === 'object' && !Array.isArray(arg))
        return values.every((v) => !(typeof v === 'string' && v.startsWith(String(arg.prefix))));
      const banned = Array.isArray(arg) ? arg : [arg];
      return values.every((v) => !banned.some((b) => b === v || (typeof b === 'number' && Number(v) === b)));
    }
    case 'numeric': {
      const cond = arg as (string | number)[];
      return values.some((v) => {
        const x = typeof v === 'number' ? v : Number(v);
        if (v === null || v === '' || !Number.isFinite(x)) return false;
        for (let i = 0; i < cond.length; i += 2) {
          const bound = cond[i + 1] as number;
          const ok = { '=': x === bound, '<': x < bound, '<=': x <= bound, '>': x > bound, '>=': x >= bound }[cond[i] as '='];
          if (!ok) return false;
        }
        return true;
      });
    }
    default:
      return false;
  }
}

function nodeMatches(policy: Record<string, Json>, data: Record<string, unknown>, scope: FilterScope): boolean {
  for (const [k, v] of Object.entries(policy)) {
    if (k === '$or') {
      if (!(v as Record<string, Json>[]).some((alt) => nodeMatches(alt, data, scope))) return false;
      continue;
    }
    const present = Object.hasOwn(data, k);
    if (!Array.isArray(v) && v && typeof v === 'object') {
      const inner = data[k];
      if (!inner || typeof inner !== 'object' || Array.isArray(inner)) return false;
      if (!nodeMatches(v as Record<string, Json>, inner as Record<string, unknown>, scope)) return false;
      continue;
    }
    const values = present ? offered(data[k]) : [];
    if (!(v as Json[]).some((rule) => ruleMatches(rule, values, present))) return false;
  }
  return true;
}

/**
 * Does a message pass a subscription's filter policy?
 * @example matchesFilterPolicy({ siteId: ['store-1'] }, { attributes: { siteId: { type: 'String', value: 'store-1' } }, body: '{}' }) // true
 */
export function matchesFilterPolicy(
  policy: Record<string, unknown> | undefined,
  message: { attributes: Record<string, AttributeValue>; body: string },
  scope: FilterScope = 'MessageAttributes',
): boolean {
  if (!policy) return true;
  let data: Record<string, unknown>;
  if (scope === 'MessageBody') {
    try {
      const parsed = JSON.parse(message.body) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return false;
      data = parsed as Record<string, unknown>;
    } catch {
      return false;
    }
  } else {
    data = {};
    for (const [k, a] of Object.entries(message.attributes)) {
      if (a.type.startsWith('String.Array')) {
        try {
          data[k] = JSON.parse(a.value) as unknown;
        } catch {
          data[k] = a.value;
        }
      } else if (a.type.startsWith('Number')) data[k] = Number(a.value);
      else if (a.type.startsWith('String')) data[k] = a.value;
      // Binary attributes take no part in filtering, as in SNS.
    }
  }
  return nodeMatches(policy as Record<string, Json>, data, scope);
}
