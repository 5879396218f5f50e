import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeGetSite } from '../../functions/get-site.js';
import { makePutSite } from '../../functions/put-site.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { call } from '../support/http.js';

/** Contact details live on CONTACT# items of their own (only the notifier may read them), never on SITE#. */
let t: Awaited<ReturnType<typeof freshTable>>;
let d: ReturnType<typeof depsFor>;
const item = async (pk: string, sk: string) => (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { pk, sk } }))).Item;

beforeAll(async () => {
  t = await freshTable('site-contacts');
  d = depsFor(t.doc, t.tableName);
});

describe('site contact details against DynamoDB Local', () => {
  it('PUT /sites writes them to CONTACT# only, answers them back; GET /sites leaves them out; a replace without them removes them', async () => {
    const contact = { email: 'sam@example.com', phone: '+1 555 0199', channels: ['email', 'sms'] };
    const put = await call(makePutSite(d), 'PUT', '/sites/cust-9', { kind: 'customer', name: 'Sam', contact });
    expect(put).toMatchObject({ status: 200, body: { siteId: 'cust-9', contact } });
    expect(await item('SITE#cust-9', 'SITE')).not.toHaveProperty('contact');
    expect(JSON.stringify(await item('SITE#cust-9', 'SITE'))).not.toContain('sam@example.com');
    expect(await item('CONTACT#cust-9', 'CONTACT')).toMatchObject({ ...contact, entity: 'contact', siteId: 'cust-9' });
    const got = await call(makeGetSite(d), 'GET', '/sites/cust-9');
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('contact');
    expect((await d.contacts.contacts(['cust-9'])).get('cust-9')).toEqual(contact);

    // a PUT without contact (a GET answer sent back, say) keeps them: they are write-only; contact: {} clears them
    expect((await call(makePutSite(d), 'PUT', '/sites/cust-9', { ...(got.body as object), name: 'Sam B.' })).status).toBe(200);
    expect((await d.contacts.contacts(['cust-9'])).get('cust-9')).toEqual(contact);
    await call(makePutSite(d), 'PUT', '/sites/cust-9', { kind: 'customer', name: 'Sam', contact: {} });
    expect((await d.contacts.contacts(['cust-9'])).get('cust-9')).toEqual({});
  });

  it('refuses an unknown channel, naming the field, and writes nothing', async () => {
    const r = await call(makePutSite(d), 'PUT', '/sites/cust-8', { kind: 'customer', name: 'X', contact: { channels: ['fax'] } });
    expect(r).toMatchObject({ status: 400, body: { error: { details: [{ path: 'contact.channels.0' }] } } });
    expect(await item('CONTACT#cust-8', 'CONTACT')).toBeUndefined();
  });

  it('reads the contact details of a site written before CONTACT# existed from its SITE# item (the notifier only), and GET leaves them out', async () => {
    await t.doc.send(
      new PutCommand({
        TableName: t.tableName,
        Item: { pk: 'SITE#old-1', sk: 'SITE', entity: 'site', siteId: 'old-1', kind: 'customer', name: 'Old', contact: { email: 'old@example.com' } },
      }),
    );
    expect((await d.contacts.contacts(['old-1', 'nobody'])).get('old-1')).toEqual({ email: 'old@example.com' });
    expect((await call(makeGetSite(d), 'GET', '/sites/old-1')).body).not.toHaveProperty('contact');
    // Rewritten: moved off SITE#.
    await call(makePutSite(d), 'PUT', '/sites/old-1', { kind: 'customer', name: 'Old', contact: { email: 'new@example.com' } });
    expect(await item('SITE#old-1', 'SITE')).not.toHaveProperty('contact');
    expect((await d.contacts.contacts(['old-1'])).get('old-1')).toEqual({ email: 'new@example.com' });
  });
});
