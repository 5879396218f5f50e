/**
 * Demo data for `npm start -- --demo`: a small, realistic supply chain loaded through the public API, generated from a
 * seed so its shape (sites, lots, quantities, customers) is the same every time; dates are relative to the day it is
 * loaded so that some lots are always close to expiry.
 */

type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

export const DEMO = {
  gtin: { romaine: '00614141000012', tomato: '00614141000029', saladKit: '00614141000036', phone: '00614141000043', tuna: '00614141000074' },
  grower: 'grower-sunny-acres',
  farm: 'farm-green-valley',
  packer: 'packer-coastal',
  dcs: ['dc-east', 'dc-west'],
  stores: ['store-101', 'store-102', 'store-103', 'store-104', 'store-105'],
  distributor: 'dist-metro-foods',
  phoneSupplier: 'supplier-phonco',
  customers: 300,
} as const;

/** A small seeded PRNG (mulberry32): the same seed gives the same data. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T,
  };
}

const FIRST = ['Alex', 'Sam', 'Jordan', 'Taylor', 'Morgan', 'Casey', 'Riley', 'Jamie', 'Avery', 'Quinn', 'Rowan', 'Emery'];
const LAST = ['Garcia', 'Smith', 'Nguyen', 'Patel', 'Johnson', 'Kim', 'Lopez', 'Brown', 'Davis', 'Martin', 'Clark', 'Lewis'];

export type DemoSummary = { products: number; sites: number; movements: number; accepted: number; rejected: number; lots: string[] };

/** Build and send the demo through the API (`call`), in batches of 500 in time order. */
export async function loadDemo(call: Call, today = new Date(), seed = 204): Promise<DemoSummary> {
  const r = seeded(seed);
  const day = (offset: number, hour = 9, minute = 0) => {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + offset, hour + 5, minute));
    return d.toISOString().replace('.000Z', 'Z');
  };
  const date = (offset: number) => day(offset).slice(0, 10);
  const g = DEMO.gtin;

  const products = [
    [
      g.romaine,
      {
        description: 'Romaine hearts 3ct',
        unit: 'case',
        ftl: true,
        expiryAlertDays: 4,
        brand: 'Coastal Greens',
        commodity: 'Romaine lettuce',
        variety: 'Green Forest',
        packSize: '12 x 3 ct',
        packStyle: 'carton',
      },
    ],
    [
      g.tomato,
      { description: 'Roma tomatoes 25 lb', unit: 'case', ftl: true, expiryAlertDays: 5, commodity: 'Tomatoes', variety: 'Roma', packStyle: 'box' },
    ],
    [g.saladKit, { description: 'Garden salad kit 12 oz', unit: 'ea', ftl: true, expiryAlertDays: 3, brand: 'FreshMart', packStyle: 'bag' }],
    [g.tuna, { description: 'Yellowfin tuna loins', unit: 'kg', ftl: true, expiryAlertDays: 3, commodity: 'Tuna', variety: 'Yellowfin' }],
    [g.phone, { description: 'Handset X200', unit: 'ea', ftl: false, expiryAlertDays: 7 }],
  ] as const;
  for (const [gtin, p] of products) await call('PUT', `/products/${gtin}`, p);

  const addr = (street: string, city: string, state: string, zip: string) => ({ street, city, state, postalCode: zip, country: 'US' });
  const sites: [string, Record<string, unknown>][] = [
    [
      DEMO.grower,
      {
        kind: 'warehouse',
        name: 'Sunny Acres Farm',
        phone: '+1 831 555 0100',
        address: addr('1 Field Rd', 'Salinas', 'CA', '93901'),
        gln: '0614141000005',
      },
    ],
    [
      DEMO.farm,
      { kind: 'supplier', name: 'Green Valley Growers', phone: '+1 831 555 0110', address: addr('88 Valley Ln', 'Watsonville', 'CA', '95076') },
    ],
    [
      DEMO.packer,
      {
        kind: 'warehouse',
        name: 'Coastal Packing Co',
        phone: '+1 831 555 0120',
        address: addr('12 Dock St', 'Castroville', 'CA', '95012'),
        ffrn: '12345678901',
      },
    ],
    [
      DEMO.dcs[0],
      { kind: 'warehouse', name: 'East Distribution Center', phone: '+1 775 555 0130', address: addr('400 Logistics Way', 'Reno', 'NV', '89502') },
    ],
    [
      DEMO.dcs[1],
      { kind: 'warehouse', name: 'West Distribution Center', phone: '+1 510 555 0140', address: addr('77 Harbor Blvd', 'Oakland', 'CA', '94607') },
    ],
    [
      DEMO.distributor,
      { kind: 'distributor', name: 'Metro Foods Distribution', phone: '+1 916 555 0150', address: addr('9 Market St', 'Sacramento', 'CA', '95814') },
    ],
    // A fishing vessel's landing place (first land-based receiving is at dc-west's dock).
    ['vessel-sea-star', { kind: 'supplier', name: 'F/V Sea Star', phone: '+1 808 555 0160', coordinates: { lat: 21.3069, lon: -157.8583 } }],
    [DEMO.phoneSupplier, { kind: 'supplier', name: 'PhonCo Devices' }],
    ...DEMO.stores.map((s, i): [string, Record<string, unknown>] => [
      s,
      {
        kind: 'store',
        name: `FreshMart #${101 + i}`,
        phone: `+1 415 555 01${10 + i}`,
        address: addr(`${100 + i * 10} Main St`, 'San Francisco', 'CA', `941${10 + i}`),
      },
    ]),
  ];
  const customers = Array.from({ length: DEMO.customers }, (_, i) => {
    const name = `${r.pick(FIRST)} ${r.pick(LAST)}`;
    return [`cust-${String(i + 1).padStart(4, '0')}`, { kind: 'customer', name, contact: { email: `customer${i + 1}@example.com` } }] as [
      string,
      Record<string, unknown>,
    ];
  });
  for (const [id, s] of [...sites, ...customers]) await call('PUT', `/sites/${id}`, s);

  const mv: Record<string, unknown>[] = [];
  let n = 0;
  const ev = (kind: string) => `demo-${kind}-${String(++n).padStart(5, '0')}`;
  const lots: string[] = [];

  // Romaine: packed by the packer from Green Valley's fields (initial packing assigns the lot code), 3 lots a week.
  const romaineLots: { lot: string; expiry: string; at: number }[] = [];
  for (let w = 0; w < 7; w++) {
    const at = -21 + w * 3;
    const lot = `RMN-${String(w + 1).padStart(3, '0')}`;
    const expiry = date(at + 14);
    romaineLots.push({ lot, expiry, at });
    lots.push(`${g.romaine}/${lot}`);
    mv.push({
      eventId: ev('pack'),
      type: 'initial-pack',
      occurredAt: day(at, 6),
      gtin: g.romaine,
      lot,
      quantity: 400,
      site: DEMO.packer,
      counterparty: DEMO.farm,
      expiry,
      productionDate: date(at),
      reference: { type: 'OTHER', number: `HARV-${lot}` },
      // FSMA 204 initial-packing KDEs; a deliberate gap: the first week's harvest date and field were not recorded
      received: { date: date(at), quantity: 40, unit: 'bin', commodity: 'Romaine lettuce', variety: 'Green Forest', from: DEMO.farm },
      harvest: {
        farm: DEMO.farm,
        ...(w === 0 ? {} : { date: date(at), field: `Block ${w + 1}` }),
        harvester: { name: 'Valley Harvest Crew', phone: '+1 831 555 0199' },
      },
      cooling: { site: DEMO.packer, date: date(at) },
    });
    // A deliberate warning: the last week's lot was cooled again after packing, which is no Cooling CTE.
    if (w === 6) mv.push({ eventId: ev('cool'), type: 'cool', occurredAt: day(at, 7), gtin: g.romaine, lot, quantity: 400, site: DEMO.packer });
    for (const [i, dc] of DEMO.dcs.entries())
      mv.push({
        eventId: ev('xfer'),
        type: 'transfer',
        occurredAt: day(at, 12 + i),
        gtin: g.romaine,
        lot,
        quantity: 180,
        site: DEMO.packer,
        counterparty: dc,
        reference: { type: 'BOL', number: `BOL-${n}` },
      });
  }
  // Tomatoes: our own grower harvests and cools, then ships to the packer's DCs.
  const tomatoLots: { lot: string; expiry: string; at: number }[] = [];
  for (let w = 0; w < 5; w++) {
    const at = -20 + w * 4;
    const lot = `TOM-${String(w + 1).padStart(3, '0')}`;
    const expiry = date(at + 12);
    tomatoLots.push({ lot, expiry, at });
    lots.push(`${g.tomato}/${lot}`);
    mv.push({
      eventId: ev('harv'),
      type: 'harvest',
      occurredAt: day(at, 5),
      gtin: g.tomato,
      lot,
      quantity: 300,
      site: DEMO.grower,
      counterparty: DEMO.dcs[0],
      expiry,
      productionDate: date(at),
      harvest: { date: date(at), field: `Row ${w + 1}` },
      references: [{ type: 'OTHER', number: `HARV-${lot}` }],
    });
    mv.push({
      eventId: ev('cool'),
      type: 'cool',
      occurredAt: day(at, 6),
      gtin: g.tomato,
      lot,
      quantity: 300,
      site: DEMO.grower,
      counterparty: DEMO.dcs[0],
      references: [{ type: 'OTHER', number: `COOL-${lot}` }],
    });
    mv.push({
      eventId: ev('xfer'),
      type: 'transfer',
      occurredAt: day(at, 10),
      gtin: g.tomato,
      lot,
      quantity: 280,
      site: DEMO.grower,
      counterparty: DEMO.dcs[0],
      reference: { type: 'BOL', number: `BOL-${n}` },
    });
  }
  // Salad kits made at dc-east from romaine and tomatoes.
  const kitLots: { lot: string; at: number }[] = [];
  for (const [i, rl] of romaineLots.entries()) {
    const tl = tomatoLots[Math.min(tomatoLots.length - 1, Math.floor(i * 0.7))] as { lot: string; at: number };
    const at = Math.max(rl.at, tl.at) + 1;
    const lot = `KIT-${String(i + 1).padStart(3, '0')}`;
    kitLots.push({ lot, at });
    lots.push(`${g.saladKit}/${lot}`);
    mv.push({
      eventId: ev('make'),
      type: 'transform',
      occurredAt: day(at, 14),
      gtin: g.saladKit,
      lot,
      quantity: 600,
      site: DEMO.dcs[0],
      expiry: date(at + 10),
      inputs: [
        { gtin: g.romaine, lot: rl.lot, quantity: 40 },
        { gtin: g.tomato, lot: tl.lot, quantity: 20 },
      ],
      references: [{ type: 'OTHER', number: `WO-${lot}` }],
    });
  }
  // To stores, the distributor and customers.
  const sell = (gtin: string, lot: string, store: string, at: number, qty: number) => {
    const known = r.next() < 0.6;
    const customer = `cust-${String(r.int(1, DEMO.customers)).padStart(4, '0')}`;
    mv.push({
      eventId: ev('sale'),
      type: 'sell',
      occurredAt: day(at, r.int(10, 19), r.int(0, 59)),
      gtin,
      lot,
      quantity: qty,
      site: store,
      ...(known ? { counterparty: customer, unitPrice: gtin === g.saladKit ? 4.99 : 3.49 } : {}),
    });
    return known ? customer : undefined;
  };
  for (const group of [
    { gtin: g.romaine, lots: romaineLots, dc: DEMO.dcs[1], per: 30 },
    { gtin: g.saladKit, lots: kitLots.map((k) => ({ ...k, expiry: '' })), dc: DEMO.dcs[0], per: 80 },
  ]) {
    for (const l of group.lots) {
      for (const [s, store] of DEMO.stores.entries()) {
        const at = l.at + 2;
        if (at > 0) continue;
        mv.push({
          eventId: ev('xfer'),
          type: 'transfer',
          occurredAt: day(at, 6, s),
          gtin: group.gtin,
          lot: l.lot,
          quantity: group.per,
          site: group.dc,
          counterparty: store,
          receivedAt: day(at, 9, s),
          references: [{ type: 'BOL', number: `BOL-${n}` }],
        });
        let left = group.per;
        for (let k = 0; k < 6 && left > 2 && at + k <= 0; k++) {
          const q = r.int(1, 3);
          left -= q;
          const who = sell(group.gtin, l.lot, store, at + k, q);
          if (who && r.next() < 0.08) {
            mv.push({
              eventId: ev('rtn'),
              type: 'return',
              occurredAt: day(Math.min(0, at + k + 1), 17),
              gtin: group.gtin,
              lot: l.lot,
              quantity: 1,
              site: store,
              counterparty: who,
              reason: r.next() < 0.7 ? 'defect' : 'changed mind',
              reference: { type: 'RMA', number: `RMA-${n}` },
            });
          }
        }
      }
      if (l.at + 3 <= 0)
        mv.push({
          eventId: ev('ship'),
          type: 'ship',
          occurredAt: day(l.at + 3, 8),
          gtin: group.gtin,
          lot: l.lot,
          quantity: 20,
          site: group.dc,
          counterparty: DEMO.distributor,
          // A deliberate gap: the first shipment to the distributor has no reference document.
          ...(l === group.lots[0] && group.gtin === g.romaine ? {} : { reference: { type: 'BOL' as const, number: `BOL-${n}` } }),
        });
    }
  }
  // Seafood: tuna landed from a vessel at dc-west's dock (first land-based receiving), shipped to the distributor; and
  // tomatoes bought in from Green Valley (receiving), their lot code assigned there.
  mv.push({
    eventId: ev('land'),
    type: 'first-land-receive',
    occurredAt: day(-6, 5),
    gtin: g.tuna,
    lot: 'TUNA-001',
    quantity: 850.5,
    site: DEMO.dcs[1],
    counterparty: 'vessel-sea-star',
    expiry: date(4),
    landing: { harvestDateBegin: date(-12), harvestDateEnd: date(-8), area: 'FAO 77 (Pacific, Eastern Central)' },
    references: [{ type: 'OTHER', number: 'LANDING-7731' }],
  });
  lots.push(`${g.tuna}/TUNA-001`);
  mv.push({
    eventId: ev('ship'),
    type: 'ship',
    occurredAt: day(-5, 8),
    gtin: g.tuna,
    lot: 'TUNA-001',
    quantity: 300,
    site: DEMO.dcs[1],
    counterparty: DEMO.distributor,
    references: [
      { type: 'BOL', number: 'BOL-T1' },
      { type: 'INV', number: 'INV-T1' },
    ],
  });
  mv.push({
    eventId: ev('rcv'),
    type: 'receive',
    occurredAt: day(-4, 9),
    gtin: g.tomato,
    lot: 'GV-TOM-9',
    quantity: 60,
    site: DEMO.dcs[1],
    counterparty: DEMO.farm,
    tlcSource: DEMO.farm,
    expiry: date(6),
    references: [
      { type: 'BOL', number: 'BOL-GV9' },
      { type: 'PO', number: 'PO-GV9' },
    ],
  });
  lots.push(`${g.tomato}/GV-TOM-9`);

  // Serialized handsets: received with serials at dc-west, a few to each store, some sold.
  const serials = Array.from({ length: 40 }, (_, i) => `X200-${String(1000 + i)}`);
  const phoneLot = 'PH-001';
  lots.push(`${g.phone}/${phoneLot}`);
  mv.push({
    eventId: ev('rcv'),
    type: 'receive',
    occurredAt: day(-18, 9),
    gtin: g.phone,
    lot: phoneLot,
    quantity: serials.length,
    serials,
    site: DEMO.dcs[1],
    counterparty: DEMO.phoneSupplier,
    unitCost: 180,
    reference: { type: 'PO', number: 'PO-88001' },
  });
  for (const [s, store] of DEMO.stores.entries()) {
    const mine = serials.slice(s * 6, s * 6 + 6);
    mv.push({
      eventId: ev('xfer'),
      type: 'transfer',
      occurredAt: day(-16, 8, s),
      gtin: g.phone,
      lot: phoneLot,
      quantity: mine.length,
      serials: mine,
      site: DEMO.dcs[1],
      counterparty: store,
    });
    for (const [k, serial] of mine.slice(0, 3).entries())
      mv.push({
        eventId: ev('sale'),
        type: 'sell',
        occurredAt: day(-14 + k * 3 + s, 15),
        gtin: g.phone,
        lot: phoneLot,
        quantity: 1,
        serials: [serial],
        site: store,
        counterparty: `cust-${String(r.int(1, DEMO.customers)).padStart(4, '0')}`,
        unitPrice: 399,
      });
  }

  mv.sort((a, b) => Date.parse(a.occurredAt as string) - Date.parse(b.occurredAt as string));
  let accepted = 0;
  let rejected = 0;
  for (let i = 0; i < mv.length; i += 500) {
    const res = (await call('POST', '/movements', { movements: mv.slice(i, i + 500) })) as { accepted: number; duplicates: number; rejected: number };
    accepted += res.accepted + res.duplicates;
    rejected += res.rejected;
  }
  return { products: products.length, sites: sites.length + customers.length, movements: mv.length, accepted, rejected, lots };
}
