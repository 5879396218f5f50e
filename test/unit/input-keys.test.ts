import { describe, expect, it } from 'vitest';
import { toApiGatewayEvent } from '../../infra/local/lambda-event.js';
import { csvRowToMovement } from '../../lib/domain/batch-file.js';
import { uomOf } from '../../lib/domain/epcis.js';
import { parseRecord } from '../../lib/domain/record-movements.js';

// Keys that come from input are data: a name on Object.prototype must neither vanish nor find an inherited member.
describe('input keys named like Object.prototype members', () => {
  it('a CSV column named __proto__ is refused as an unknown field, not swallowed by the prototype', () => {
    const row = Object.fromEntries([
      ['eventId', 'e1'],
      ['__proto__', 'x'],
    ]);
    const r = parseRecord(csvRowToMovement(row), 0);
    expect(r.ok ? [] : r.result.errors?.map((e) => e.path)).toContain('movements.0.__proto__');
  });

  it('the local server passes query parameters named constructor or __proto__ through as they came', () => {
    const e = toApiGatewayEvent({
      method: 'GET',
      url: '/x?constructor=a&__proto__=b&constructor=c',
      headers: {},
      body: Buffer.alloc(0),
      routeKey: 'GET /x',
    });
    expect(Object.entries(e.queryStringParameters ?? {})).toEqual([
      ['constructor', 'a,c'],
      ['__proto__', 'b'],
    ]);
  });

  it('a unit named constructor or toString has no UN/ECE code', () => {
    expect([uomOf('constructor'), uomOf('toString'), uomOf('kg')]).toEqual([undefined, undefined, 'KGM']);
  });
});
