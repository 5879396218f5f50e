import { describe, expect, it } from 'vitest';
import { eventTimeOf, lotClassUri } from '../../lib/domain/epcis.js';
import { changeLotStatus } from '../../lib/domain/lots.js';
import type { Movement } from '../../lib/domain/movement.js';
import { planStatusChange } from '../../lib/domain/plan-movement.js';
import { runExport } from '../../lib/exports/run-export.js';
import { epcisValidator, ledgerWith, memoryRunDeps, pendingJob } from '../support/exports.js';
import { GTIN, mv } from '../support/fixtures.js';

type Doc = { '@context': unknown; type: string; schemaVersion: string; epcisBody: { eventList: Record<string, unknown>[] } };
const validate = epcisValidator();
const at = (t: string) => `2026-03-01T${t}-05:00`;

const movements = (): Movement[] => [
  mv({ eventId: 'harvest', type: 'harvest', lot: 'H1', quantity: 100, site: 'packer-1', occurredAt: at('06:00'), expiry: '2026-03-20' }),
  mv({ eventId: 'cool', type: 'cool', lot: 'H1', quantity: 100, site: 'packer-1', occurredAt: at('06:30') }),
  mv({ eventId: 'pack', type: 'initial-pack', lot: 'P1', quantity: 50, site: 'packer-1', occurredAt: at('08:00') }),
  mv({
    eventId: 'receive',
    type: 'receive',
    lot: 'A/1(x)',
    quantity: 40,
    site: 'dc-1',
    counterparty: 'packer-1',
    expiry: '2026-04-01',
    reference: { type: 'PO', number: 'PO 77' },
    occurredAt: '2026-03-01T09:00Z',
  }),
  mv({
    eventId: 'ship',
    type: 'ship',
    lot: 'A/1(x)',
    quantity: 5,
    site: 'dc-1',
    counterparty: 'dist-1',
    reference: { type: 'ASN', number: 'A1' },
    occurredAt: at('10:00'),
  }),
  mv({ eventId: 'transfer', type: 'transfer', lot: 'A/1(x)', quantity: 10, site: 'dc-1', counterparty: 'store-1', occurredAt: at('11:00') }),
  mv({ eventId: 'sell', type: 'sell', lot: 'A/1(x)', quantity: 2, site: 'store-1', counterparty: 'cust-1', occurredAt: at('12:00') }),
  mv({
    eventId: 'return',
    type: 'return',
    lot: 'A/1(x)',
    quantity: 1,
    site: 'dc-1',
    counterparty: 'dist-1',
    reference: { type: 'RMA', number: 'R9' },
    occurredAt: at('13:00'),
  }),
  mv({ eventId: 'adjust', type: 'adjust', lot: 'A/1(x)', quantity: -2, site: 'dc-1', occurredAt: at('14:00') }),
  mv({
    eventId: 'dispose',
    type: 'dispose',
    lot: 'A/1(x)',
    quantity: 1,
    site: 'dc-1',
    occurredAt: at('15:00'),
    reference: { type: 'OTHER', number: 'x' },
  }),
  mv({
    eventId: 'tomato',
    type: 'receive',
    gtin: GTIN.tomato,
    lot: 'T1',
    quantity: 30,
    site: 'dc-1',
    counterparty: 'farm-1',
    occurredAt: at('15:30'),
  }),
  mv({
    eventId: 'transform',
    type: 'transform',
    gtin: GTIN.saladKit,
    lot: 'K1',
    quantity: 20,
    site: 'dc-1',
    expiry: '2026-03-10',
    inputs: [
      { gtin: GTIN.romaine, lot: 'A/1(x)', quantity: 4 },
      { gtin: GTIN.tomato, lot: 'T1', quantity: 3 },
    ],
    occurredAt: at('16:00'),
  }),
  mv({
    eventId: 'serials',
    type: 'receive',
    gtin: GTIN.phone,
    lot: 'N1',
    quantity: 2,
    serials: ['S1', 'S2'],
    site: 'dc-1',
    counterparty: 'farm-1',
    occurredAt: at('17:00'),
  }),
];

async function exportDoc() {
  const l = await ledgerWith(movements());
  // Status changes are stamped with the clock: 2026-03-01T12:00:00Z.
  await changeLotStatus(l, { gtin: GTIN.tomato, lot: 'T1' }, 'hold', 'qa', 'r1');
  await changeLotStatus(l, { gtin: GTIN.tomato, lot: 'T1' }, 'release', 'ok', 'r2');
  const k1 = await l.ledger.getLot({ gtin: GTIN.saladKit, lot: 'K1' });
  if (!k1) throw new Error('no K1');
  const { next, pending } = planStatusChange(
    k1,
    { type: 'recall', reason: 'listeria', eventId: 'recall:1', recallId: 'R-1' },
    '2026-03-01T12:00:00.000Z',
  );
  await l.ledger.commitLotChange(k1.statusVersion, next, pending);
  const entries = [...l.ledger.entryLog.values()].flat();
  const d = { ...memoryRunDeps({ ...l, entries }) };
  const job = pendingJob('X-epcis', { format: 'epcis-jsonld', from: '2026-03-01', to: '2026-03-01' });
  await d.jobs.create(job);
  const done = await runExport(d, job.exportId);
  return { doc: JSON.parse(d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '') as Doc, done };
}

describe('EPCIS 2.0 export', () => {
  it('produces a document the GS1 EPCIS 2.0 JSON schema accepts', async () => {
    const { doc, done } = await exportDoc();
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(doc).toMatchObject({ type: 'EPCISDocument', schemaVersion: '2.0' });
    expect((doc['@context'] as unknown[])[0]).toBe('https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld');
    expect(done?.rowCount).toBe(doc.epcisBody.eventList.length);
  });

  it('maps each entry type to its CBV business step, disposition and action', async () => {
    const { doc } = await exportDoc();
    const steps = doc.epcisBody.eventList.map((e) => [e.type, e.action ?? '-', e.bizStep, e.disposition ?? '-']);
    expect(steps).toEqual([
      ['ObjectEvent', 'ADD', 'receiving', 'in_progress'], // receive 09:00Z creates the lot
      ['ObjectEvent', 'ADD', 'commissioning', 'active'], // harvest 11:00Z
      ['ObjectEvent', 'OBSERVE', 'storing', 'in_progress'], // cool
      ['ObjectEvent', 'OBSERVE', 'holding', 'non_sellable_other'], // hold, stamped by the clock at 12:00Z
      ['ObjectEvent', 'OBSERVE', 'inspecting', 'sellable_accessible'], // release
      ['ObjectEvent', 'OBSERVE', 'holding', 'recalled'], // recall
      ['ObjectEvent', 'ADD', 'packing', 'active'], // initial-pack 13:00Z
      ['ObjectEvent', 'OBSERVE', 'shipping', 'in_transit'],
      ['ObjectEvent', 'OBSERVE', 'shipping', 'in_transit'], // transfer out
      ['ObjectEvent', 'OBSERVE', 'receiving', 'in_progress'], // transfer in
      ['ObjectEvent', 'OBSERVE', 'retail_selling', 'retail_sold'],
      ['ObjectEvent', 'OBSERVE', 'receiving', 'returned'],
      ['ObjectEvent', 'OBSERVE', 'cycle_counting', '-'],
      ['ObjectEvent', 'DELETE', 'destroying', 'destroyed'],
      ['ObjectEvent', 'ADD', 'receiving', 'in_progress'], // tomato
      ['TransformationEvent', '-', 'commissioning', 'active'],
      ['ObjectEvent', 'ADD', 'receiving', 'in_progress'], // serials
    ]);
  });

  it('names lots as Digital Link class URIs, serials as item URIs, with ilmd, locations and business transactions', async () => {
    const { doc } = await exportDoc();
    const byStep = (step: string) => doc.epcisBody.eventList.filter((e) => e.bizStep === step);
    const receive = byStep('receiving')[0] as Record<string, unknown>;
    expect(receive).toMatchObject({
      eventTime: '2026-03-01T09:00:00Z',
      eventTimeZoneOffset: '+00:00',
      quantityList: [{ epcClass: `https://id.gs1.org/01/${GTIN.romaine}/10/A%2F1%28x%29`, quantity: 40 }],
      ilmd: { 'cbvmda:lotNumber': 'A/1(x)', 'cbvmda:itemExpirationDate': '2026-04-01' },
      readPoint: { id: 'urn:lotledger:site:dc-1' },
      bizTransactionList: [{ type: 'po', bizTransaction: 'urn:lotledger:bt:po:PO%2077' }],
      sourceList: [
        { type: 'owning_party', source: 'https://id.gs1.org/417/0614141000005' },
        { type: 'location', source: 'https://id.gs1.org/414/0614141000005' },
      ],
      destinationList: [
        { type: 'owning_party', destination: 'urn:lotledger:party:dc-1' },
        { type: 'location', destination: 'urn:lotledger:site:dc-1' },
      ],
    });
    expect(receive.eventID).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    expect(byStep('shipping')[0]?.bizTransactionList).toEqual([{ type: 'desadv', bizTransaction: 'urn:lotledger:bt:asn:A1' }]);
    const transform = doc.epcisBody.eventList.find((e) => e.type === 'TransformationEvent');
    expect(transform).toMatchObject({
      inputQuantityList: [
        { epcClass: lotClassUri(GTIN.romaine, 'A/1(x)'), quantity: 4 },
        { epcClass: lotClassUri(GTIN.tomato, 'T1'), quantity: 3 },
      ],
      outputQuantityList: [{ epcClass: lotClassUri(GTIN.saladKit, 'K1'), quantity: 20 }],
      ilmd: { 'cbvmda:lotNumber': 'K1', 'cbvmda:itemExpirationDate': '2026-03-10' },
    });
    expect(doc.epcisBody.eventList.at(-1)?.epcList).toEqual([
      `https://id.gs1.org/01/${GTIN.phone}/21/S1`,
      `https://id.gs1.org/01/${GTIN.phone}/21/S2`,
    ]);
    const ids = doc.epcisBody.eventList.map((e) => e.eventID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the offset of the instant and adds the seconds date-time requires', () => {
    expect(eventTimeOf('2026-03-01T10:00-05:00')).toEqual({ eventTime: '2026-03-01T10:00:00-05:00', eventTimeZoneOffset: '-05:00' });
    expect(eventTimeOf('2026-03-01T10:00:00.123+14:00')).toEqual({ eventTime: '2026-03-01T10:00:00.123+14:00', eventTimeZoneOffset: '+14:00' });
  });

  it('is rejected by the schema when an ObjectEvent loses its action (the validator can fail)', async () => {
    const { doc } = await exportDoc();
    delete (doc.epcisBody.eventList[0] as Record<string, unknown>).action;
    expect(validate(doc)).toBe(false);
  });
});
