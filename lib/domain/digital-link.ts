/**
 * The GS1 Digital Link resolver's answers: what anyone who scans a QR code may learn of a lot or a unit, with no account.
 * Only public facts: the product, the expiry, and whether it is recalled and what to do. Stock, sites, holds and
 * customers never appear here.
 */
import type { Clock } from './clock.js';
import { AppError } from './errors.js';
import type { LotKey, LotState, SerialState } from './ledger.js';
import type { MasterDataStore } from './master-data.js';
import { recallTitle } from './recall-notice.js';
import type { RecallRecord } from './recall-store.js';

export type PublicRecall = { title: string; reason: string; instructions: string };
export type PublicLotFacts = {
  gtin: string;
  lot: string;
  serial?: string;
  description: string | null;
  expiry: string | null;
  /** the expiry date has passed */
  expired: boolean;
  recalled: boolean;
  recall?: PublicRecall;
};

export type ResolverDeps = {
  master: Pick<MasterDataStore, 'getProduct'>;
  ledger: { getLot(k: LotKey): Promise<LotState | undefined>; getSerial(gtin: string, serial: string): Promise<SerialState | undefined> };
  recalls: { getRecall(recallId: string): Promise<RecallRecord | undefined> };
  clock: Clock;
};

const DEFAULT_INSTRUCTIONS = 'Do not use, sell or eat this product. Return it to the place of purchase or dispose of it.';

async function factsOf(d: ResolverDeps, lot: LotState): Promise<PublicLotFacts> {
  const product = await d.master.getProduct(lot.gtin);
  const recalled = lot.status === 'recalled';
  const record = recalled && lot.recallId ? await d.recalls.getRecall(lot.recallId) : undefined;
  const today = d.clock.now().toISOString().slice(0, 10);
  return {
    gtin: lot.gtin,
    lot: lot.lot,
    description: product?.description ?? null,
    expiry: lot.expiry ?? null,
    expired: lot.expiry !== undefined && lot.expiry < today,
    recalled,
    ...(recalled
      ? {
          recall: {
            title: recallTitle(record?.classification ?? 'I', product?.ftl ?? false),
            reason: record?.reason ?? lot.statusReason ?? 'This lot has been recalled.',
            instructions: record?.instructions ?? DEFAULT_INSTRUCTIONS,
          },
        }
      : {}),
  };
}

/** `GET /01/{gtin}/10/{lot}`: a lot's public facts, or 404 for a lot this ledger does not know. */
export async function resolveLot(d: ResolverDeps, k: LotKey): Promise<PublicLotFacts> {
  const lot = await d.ledger.getLot(k);
  if (!lot) throw new AppError('lot_not_found', `Lot ${k.lot} of ${k.gtin} not found`, [{ path: 'lot', message: 'unknown lot' }]);
  return factsOf(d, lot);
}

/** `GET /01/{gtin}/21/{serial}`: the facts of the lot that unit belongs to, with its serial. */
export async function resolveSerial(d: ResolverDeps, gtin: string, serial: string): Promise<PublicLotFacts> {
  const s = await d.ledger.getSerial(gtin, serial);
  if (!s) throw new AppError('serial_not_found', `Serial ${serial} of ${gtin} not found`, [{ path: 'serial', message: 'unknown serial' }]);
  const lot = await d.ledger.getLot({ gtin, lot: s.lot });
  if (!lot) throw new AppError('lot_not_found', `Lot ${s.lot} of ${gtin} not found`, [{ path: 'serial', message: 'its lot is unknown' }]);
  return { ...(await factsOf(d, lot)), serial };
}
