import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalProcess, startLocal } from '../support/local-process.js';

/**
 * Every channel of a recall on the local stack as `npm start` runs it: the topic, email through the SES v2 emulator,
 * SMS through the SNS emulator, the acknowledgement link; then the process killed (SIGKILL) in the middle of a fan-out,
 * and restarted: every notice still goes out.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'lotledger-recall-e2e-'));
const env = { RECALL_NOTIFIER_LEASE_SECONDS: '2', POWERTOOLS_LOG_LEVEL: 'WARN' };
let stack: LocalProcess;

const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${stack.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
const until = async <T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};
const GTIN = '00614141000012';
const at = '2026-03-01T08:00:00Z';

beforeAll(async () => {
  stack = await startLocal(dataDir, { env });
  await api('PUT', `/products/${GTIN}`, { description: 'Romaine hearts', unit: 'case', ftl: true });
  await api('PUT', '/sites/dc-1', { kind: 'warehouse', name: 'DC' });
  // a channel list without "webhook": the recall topic still carries the store's notice
  await api('PUT', '/sites/store-1', { kind: 'store', name: 'Store 1', contact: { email: 'store1@example.com', channels: ['email'] } });
  await api('PUT', '/sites/c-mail', { kind: 'customer', name: 'Mail Customer', contact: { email: 'mail@example.com', phone: '+1 555 0101' } });
  await api('PUT', '/sites/c-text', { kind: 'customer', name: 'Text Customer', contact: { phone: '+1 555 0102' } });
  await api('PUT', '/sites/c-none', { kind: 'customer', name: 'Unreachable Customer' });
}, 120_000);
afterAll(async () => {
  if (stack?.child.exitCode === null) stack.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('recall channels on the local stack', () => {
  it('reaches the store by topic and email, customers on every channel they have, and lists the unreachable one', async () => {
    const movements = [
      { eventId: 'ch-1', type: 'receive', occurredAt: at, gtin: GTIN, lot: 'CH1', quantity: 20, site: 'dc-1' },
      { eventId: 'ch-2', type: 'transfer', occurredAt: at, gtin: GTIN, lot: 'CH1', quantity: 10, site: 'dc-1', counterparty: 'store-1' },
      ...['c-mail', 'c-text', 'c-none'].map((c, i) => ({
        eventId: `ch-s${i}`,
        type: 'sell',
        occurredAt: at,
        gtin: GTIN,
        lot: 'CH1',
        quantity: 1,
        site: 'store-1',
        counterparty: c,
      })),
    ];
    expect((await api('POST', '/movements', { movements })).body).toMatchObject({ accepted: 5 });
    const r = await api('POST', '/recalls', {
      lots: [{ gtin: GTIN, lot: 'CH1' }],
      classification: 'I',
      reason: 'Listeria',
      hazard: 'Serious illness',
      instructions: 'Do not eat',
    });
    expect(r).toMatchObject({ status: 201, body: { status: 'notifying', notices: 5 } });
    const id = String(r.body.recallId);
    const status = await until('every notice sent', async () => {
      const s = await api('GET', `/recalls/${id}`);
      return s.body.status === 'active' && (s.body.notices as { published: number }).published === 4 ? s.body : undefined;
    });
    expect(status.notices).toMatchObject({ total: 5, written: 5, published: 4, delivered: 4, notNotifiable: 1 });
    const emails = (await api('GET', '/_local/emails?to=mail@example.com')).body.items as { subject: string; body: string }[];
    expect(emails).toHaveLength(1);
    expect(emails[0]?.subject).toContain('URGENT: FOOD RECALL');
    expect(emails[0]?.body).toContain('Hazard: Serious illness');
    expect(((await api('GET', '/_local/emails?to=store1@example.com')).body.items as unknown[]).length).toBe(1);
    const texts = (await api('GET', '/_local/sms?to=%2B15550102')).body.items as { to: string; body: string }[];
    expect(texts).toHaveLength(1);
    expect(texts[0]?.body).toMatch(/URGENT: FOOD RECALL.*\/ack\//);
    expect(texts[0]?.body).toContain('Hazard: Serious illness');
    // email and phone: reached on both, the same notice and link
    const both = (await api('GET', '/_local/sms?to=%2B15550101')).body.items as { body: string }[];
    expect(both).toHaveLength(1);
    // the number typed into a URL as is: its + reads as a space, and the same texts come back
    expect(((await api('GET', '/_local/sms?to=+15550101')).body.items as unknown[]).length).toBe(1);
    expect(both[0]?.body).toContain(/\/ack\/[A-Za-z0-9_-]+/.exec(emails[0]?.body ?? '')?.[0] ?? 'no link');
    expect(((await api('GET', `/_local/notifications?siteId=store-1`)).body.items as unknown[]).length).toBe(1);
    expect(((await api('GET', `/_local/notifications?audience=customer`)).body.items as unknown[]).length).toBe(0);
    // The customer answers through the link in the email, without an account.
    const link = /http:\/\/\S+\/ack\/[A-Za-z0-9_-]+/.exec(emails[0]?.body ?? '')?.[0] ?? '';
    const path = new URL(link).pathname;
    expect((await api('GET', path)).body).toMatchObject({ recallId: id, recipient: { name: 'Mail Customer', kind: 'customer' } });
    expect((await api('POST', path, { quantityOnHand: 0, quantityRemoved: 1 })).body).toMatchObject({ siteId: 'c-mail', via: 'link' });
    const report = await api('GET', `/recalls/${id}/report`);
    expect(report.body).toMatchObject({ responded: { count: 1 }, notNotifiable: { count: 1, items: [{ siteId: 'c-none' }] } });
    const h = await api('GET', '/health');
    expect((h.body.endpoints as Record<string, string>).ses).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('loses no notice when the process is killed in the middle of a fan-out', async () => {
    const customers = Array.from({ length: 300 }, (_, i) => `k-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < customers.length; i += 10)
      await Promise.all(
        customers.slice(i, i + 10).map((c) => api('PUT', `/sites/${c}`, { kind: 'customer', name: c, contact: { email: `${c}@example.com` } })),
      );
    const t0 = Date.now();
    const mark = (what: string) => console.error(`[crash test] ${what} at ${Math.round((Date.now() - t0) / 1000)} s`);
    mark('sites written');
    const sells = customers.map((c, i) => ({
      eventId: `k-s${i}`,
      type: 'sell',
      occurredAt: at,
      gtin: GTIN,
      lot: 'KL1',
      quantity: 1,
      site: 'dc-1',
      counterparty: c,
    }));
    await api('POST', '/movements', {
      movements: [{ eventId: 'k-r', type: 'receive', occurredAt: at, gtin: GTIN, lot: 'KL1', quantity: 1000, site: 'dc-1' }],
    });
    expect((await api('POST', '/movements', { movements: sells })).body).toMatchObject({ accepted: 300 });
    const r = await api('POST', '/recalls', {
      lots: [{ gtin: GTIN, lot: 'KL1' }],
      classification: 'II',
      reason: 'Crash test',
      hazard: 'h',
      instructions: 'i',
    });
    const id = String(r.body.recallId);
    mark(`recall ${id} answered`);
    // Kill as soon as the first emails are out, with most still to go.
    await until(
      'the first email',
      async () => (((await api('GET', '/_local/emails?to=k-0000@example.com')).body.items as unknown[]).length ? true : undefined),
      30_000,
    ).catch(() => true);
    stack.child.kill('SIGKILL');
    await new Promise((res) => stack.child.once('exit', res));
    mark('killed');
    stack = await startLocal(dataDir, { env });
    mark('restarted');
    const done = await until(
      'every notice after the restart',
      async () => {
        const s = await api('GET', `/recalls/${id}`);
        const n = s.body.notices as { published: number; total: number };
        return s.body.status === 'active' && n.published === n.total ? n : undefined;
      },
      300_000,
    );
    expect(done.total).toBe(301);
    const emails = (await api('GET', '/_local/emails')).body.items as { to: string; body: string }[];
    const reached = new Set(emails.filter((e) => e.body.includes(id)).map((e) => e.to));
    for (const c of customers) expect(reached.has(`${c}@example.com`), c).toBe(true);
  }, 480_000);
});
