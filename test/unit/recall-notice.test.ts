import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACK_TOKEN_PATTERN, ackUrl, checkToken, linkToken, tokenHash, tokenNotice } from '../../lib/domain/ack-tokens.js';
import { channelsFor, fallbackFor } from '../../lib/domain/notice-channels.js';
import { nextChannels } from '../../lib/domain/recall-follow-ups.js';
import { isUrgent, noticeMessage, noticeWords, recallTitle } from '../../lib/domain/recall-notice.js';
import { checksNeeded } from '../../lib/domain/recall-status.js';

const recall = {
  recallId: 'R-1',
  classification: 'I' as const,
  reason: 'Listeria <monocytogenes>',
  hazard: 'Serious illness',
  instructions: 'Do not eat; return to store',
  issuedAt: '2026-03-01T12:00:00.000Z',
  depth: 'consumer',
  food: true,
};
const notice = {
  recallId: 'R-1',
  siteId: 'cust-1',
  kind: 'customer' as const,
  name: 'Pat',
  followUp: 0,
  products: [{ gtin: '00614141000012', lot: 'L1', description: 'Romaine', expiry: '2026-03-20', quantity: 2, serials: ['S1', 'S2'] }],
};
const firm = { name: 'Example Foods', phone: '+1 555 0100', email: 'recalls@example.com' };
const url = 'https://console.example/ack/abc';

describe('the 21 CFR 7.49 notice', () => {
  it('titles Class I and II urgent, food or product, and Class III exactly PRODUCT RECALL, food or not', () => {
    expect(recallTitle('I', true)).toBe('URGENT: FOOD RECALL');
    expect(recallTitle('II', true)).toBe('URGENT: FOOD RECALL');
    expect(recallTitle('I', false)).toBe('URGENT: PRODUCT RECALL');
    expect(recallTitle('II', false)).toBe('URGENT: PRODUCT RECALL');
    expect(recallTitle('III', false)).toBe('PRODUCT RECALL');
    expect(recallTitle('III', true)).toBe('PRODUCT RECALL');
    const m = noticeMessage({ ...recall, classification: 'III' }, notice, { firm, ackUrl: url });
    expect([m.title, m.urgent]).toEqual(['PRODUCT RECALL', false]);
    expect(noticeWords(m).subject).toBe('PRODUCT RECALL - Listeria <monocytogenes>');
    expect([isUrgent('I'), isUrgent('II'), isUrgent('III')]).toEqual([true, true, false]);
  });

  it('carries the recall, the firm, the recipient, the products with serials and the link', () => {
    const m = noticeMessage(recall, notice, { firm, ackUrl: url });
    expect(m).toMatchObject({
      type: 'recall.notice',
      noticeId: 'R-1:cust-1',
      title: 'URGENT: FOOD RECALL',
      urgent: true,
      depth: 'consumer',
      recallingFirm: firm,
      recipient: { siteId: 'cust-1', kind: 'customer', name: 'Pat' },
      products: [{ serials: ['S1', 'S2'] }],
      acknowledge: { method: 'POST', path: '/recalls/R-1/acknowledgements', url },
    });
    expect(noticeMessage(recall, { ...notice, followUp: 2 }, { firm, ackUrl: url }).noticeId).toBe('R-1:cust-1:followup-2');
  });

  it('puts the same content in words in the email (text and escaped HTML) and the SMS, each with the link', () => {
    const w = noticeWords(noticeMessage(recall, notice, { firm, ackUrl: url }));
    expect(w.subject).toBe('URGENT: FOOD RECALL - Listeria <monocytogenes>');
    for (const part of [
      'Hazard: Serious illness',
      'What to do: Do not eat; return to store',
      'lot L1',
      'serials S1, S2',
      url,
      'Example Foods, +1 555 0100',
    ])
      expect(w.text).toContain(part);
    expect(w.html).toContain('Listeria &lt;monocytogenes&gt;');
    expect(w.html).not.toContain('<monocytogenes>');
    expect(w.html).toContain(`href="${url}"`);
    expect(w.sms).toContain(url);
    expect(w.sms).toMatch(/^URGENT: FOOD RECALL/);
    // the SMS carries the 7.49 essentials too: product and lot, reason, hazard, what to do, the link, firm and phone
    for (const part of [
      'Romaine lot L1 exp 2026-03-20 qty 2 serials S1, S2',
      'Reason: Listeria <monocytogenes>',
      'Hazard: Serious illness',
      'What to do: Do not eat; return to store',
      url,
      'Example Foods +1 555 0100',
    ])
      expect(w.sms).toContain(part);
  });

  it('names at most three products in the SMS, and the link for the rest', () => {
    const products = Array.from({ length: 5 }, (_, i) => ({
      gtin: '00614141000012',
      lot: `L${i}`,
      description: 'Romaine',
      expiry: null,
      quantity: 1,
    }));
    const sms = noticeWords(noticeMessage(recall, { ...notice, products }, { firm, ackUrl: url })).sms;
    expect(sms).toContain('Romaine lot L2 qty 1; and 2 more products (see the link)');
    expect(sms).not.toContain('lot L3');
    expect(sms).toContain(url);
  });

  it('never lets a newline of the reason into the subject', () => {
    fc.assert(
      fc.property(fc.string(), (reason) => !/[\r\n]/.test(noticeWords(noticeMessage({ ...recall, reason }, notice, { firm, ackUrl: url })).subject)),
    );
  });
});

describe('acknowledgement tokens', () => {
  it('are stored as a hash that differs from the token and is stable', () => {
    const t = 'A'.repeat(43);
    expect(tokenHash(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash(t)).toBe(tokenHash(t));
    expect(tokenHash(t)).not.toContain(t);
    expect(tokenHash(t)).not.toBe(tokenHash('B'.repeat(43)));
  });

  it('are 256-bit base64url; anything else is refused as unknown (404), not as a bad request', () => {
    expect(checkToken('a'.repeat(43))).toBe('a'.repeat(43));
    for (const bad of [undefined, '', 'short', 'a'.repeat(42), 'a'.repeat(444), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}/`])
      expect(() => checkToken(bad)).toThrow(expect.objectContaining({ code: 'ack_token_not_found' }));
    expect(ACK_TOKEN_PATTERN.test(Buffer.alloc(32, 255).toString('base64url'))).toBe(true);
  });

  it('name the notice they open beside their 256-bit secret, and nothing else reads as a notice', () => {
    const secret = Buffer.alloc(32, 7).toString('base64url');
    const t = linkToken('R-0123456789abcdef', 'store:1/ü', secret);
    expect(checkToken(t)).toBe(t);
    expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(t.endsWith(secret)).toBe(true);
    expect(tokenNotice(t)).toEqual({ recallId: 'R-0123456789abcdef', siteId: 'store:1/ü' });
    expect(tokenNotice(secret)).toBeUndefined();
    expect(tokenNotice(`${Buffer.from('["only-one"]').toString('base64url')}${secret}`)).toBeUndefined();
    expect(tokenNotice(`bm90IGpzb24${secret}`)).toBeUndefined();
    expect(() => checkToken(`a.b${secret}`)).toThrow(expect.objectContaining({ code: 'ack_token_not_found' }));
  });

  it('make the link from the console URL, with or without a trailing slash', () => {
    expect(ackUrl('https://c.example/', 'T')).toBe('https://c.example/ack/T');
    expect(ackUrl('https://c.example', 'T')).toBe('https://c.example/ack/T');
  });
});

describe('channels, escalation and effectiveness checks', () => {
  it('reaches sites by the topic always plus their contacts, customers on every personal channel they have, nobody without one', () => {
    expect(channelsFor('store', undefined)).toEqual(['sns']);
    expect(channelsFor('store', { email: 'a@b.c', phone: '+15550100' })).toEqual(['sns', 'email', 'sms']);
    // contact.channels narrows email and SMS only: the topic stays
    expect(channelsFor('store', { email: 'a@b.c', channels: ['email'] })).toEqual(['sns', 'email']);
    expect(channelsFor('warehouse', { email: 'a@b.c', phone: '+15550100', channels: ['email', 'sms'] })).toEqual(['sns', 'email', 'sms']);
    expect(channelsFor('distributor', { email: 'a@b.c', channels: ['webhook'] })).toEqual(['sns']);
    expect(channelsFor('customer', { email: 'a@b.c', phone: '+15550100' })).toEqual(['email', 'sms']);
    expect(channelsFor('customer', { email: 'a@b.c', phone: '+15550100', channels: ['webhook'] })).toEqual([]);
    expect(channelsFor('customer', { phone: '+15550100' })).toEqual(['sms']);
    expect(channelsFor('customer', {})).toEqual([]);
    expect(channelsFor('customer', { email: 'a@b.c', phone: '+15550100', channels: ['sms'] })).toEqual(['sms']);
  });

  it('escalates to the other channel after RECALL_ESCALATE_AFTER follow-ups, only when there is one', () => {
    expect(nextChannels({ channels: ['email'], fallback: 'sms', followUp: 1 }, 2)).toBeUndefined();
    expect(nextChannels({ channels: ['email'], fallback: 'sms', followUp: 2 }, 2)).toEqual(['sms']);
    expect(nextChannels({ channels: ['sns', 'email'], fallback: 'sms', followUp: 3 }, 2)).toEqual(['sns', 'sms']);
    expect(nextChannels({ channels: ['email'], followUp: 5 }, 2)).toBeUndefined();
    // reached on both from the start, or already escalated: the same channels again
    expect(nextChannels({ channels: ['email', 'sms'], followUp: 3 }, 2)).toBeUndefined();
    expect(nextChannels({ channels: ['sns', 'email', 'sms'], fallback: 'sms', followUp: 3 }, 2)).toBeUndefined();
    expect(nextChannels({ channels: ['sms'], fallback: 'sms', followUp: 4 }, 2)).toBeUndefined();
  });

  it('has a fallback only for a notice that goes by one personal channel while the recipient has the other', () => {
    const both = { email: 'a@b.c', phone: '+15550100' };
    expect(fallbackFor(['email', 'sms'], both)).toBeUndefined();
    expect(fallbackFor(['sns', 'email', 'sms'], both)).toBeUndefined();
    expect(fallbackFor(['email'], { ...both, channels: ['email'] })).toBe('sms');
    expect(fallbackFor(['sns', 'sms'], { ...both, channels: ['sms'] })).toBe('email');
    expect(fallbackFor(['email'], { email: 'a@b.c' })).toBeUndefined();
    expect(fallbackFor(['sns'], both)).toBeUndefined();
  });

  it('asks each level of 21 CFR 7.42(b)(3) for its share of consignees', () => {
    expect(checksNeeded('A', 50, []).required).toBe(50);
    expect(checksNeeded('B', 50, []).required).toBe(6);
    expect(checksNeeded('C', 50, []).required).toBe(5);
    expect(checksNeeded('D', 50, []).required).toBe(1);
    expect(checksNeeded('E', 50, []).required).toBe(0);
    expect(checksNeeded(undefined, 50, [])).toEqual({ level: null, required: 0, done: 0, stillNeeded: 0 });
    expect(checksNeeded('C', 50, [{ siteId: 'a' }, { siteId: 'a' }, { siteId: 'b' }])).toMatchObject({ done: 2, stillNeeded: 3 });
  });
});
