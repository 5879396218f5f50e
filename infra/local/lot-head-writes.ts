import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LotKey } from '../../lib/domain/ledger.js';

type Attr = string | { S?: string } | undefined;
type Keyed = { pk?: Attr; sk?: Attr } | undefined;
type WriteInput = {
  Item?: Keyed;
  Key?: Keyed;
  TransactItems?: { Put?: { Item?: Keyed }; Update?: { Key?: Keyed } }[];
  RequestItems?: Record<string, { PutRequest?: { Item?: Keyed } }[]>;
};

const str = (a: Attr) => (typeof a === 'string' ? a : a?.S);
const HEAD = /^LOT#([^#]+)#(.+)$/;
/** Commands that write (reads name keys too, and must not mark a lot changed). */
const WRITES = /^(Put|Update|TransactWrite|BatchWrite)/;

/** The lot a key names when it is a lot head (`LOT#{gtin}#{lot}` / `LOT`), else undefined. */
export function lotOfHeadKey(k: Keyed): LotKey | undefined {
  const m = str(k?.sk) === 'LOT' ? HEAD.exec(str(k?.pk) ?? '') : null;
  return m?.[1] && m[2] !== undefined ? { gtin: m[1], lot: m[2] } : undefined;
}

/** The lot a key names when it is a pending entry (`LOT#{gtin}#{lot}` / `PEND#...`), else undefined. */
export function lotOfPendingKey(k: Keyed): LotKey | undefined {
  const m = str(k?.sk)?.startsWith('PEND#') ? HEAD.exec(str(k?.pk) ?? '') : null;
  return m?.[1] && m[2] !== undefined ? { gtin: m[1], lot: m[2] } : undefined;
}

/**
 * The local stand-in for the table stream's `entity = lot` records: a middleware on the stack's DynamoDB client that
 * notes each lot head a successful write touched, whoever wrote it (ledger, sequencer, recall, hold). The anchor
 * poller drains the set, so finding the changed lots never needs a scan; a failed anchor run puts them back.
 */
export class LotHeadWrites {
  private readonly dirty = new Map<string, LotKey>();

  /** `of` picks the items to note (lot heads by default; `lotOfPendingKey` for the sequencer's poller). */
  constructor(
    private readonly of: (k: Keyed) => LotKey | undefined = lotOfHeadKey,
    private readonly name = 'lotledgerLotHeadWrites',
  ) {}

  observe(client: DynamoDBClient): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (WRITES.test(context.commandName ?? '')) this.note(args.input as WriteInput);
        return out;
      },
      { step: 'initialize', name: this.name },
    );
    return this;
  }

  private note(input: WriteInput) {
    const keyed: Keyed[] = [input.Item, input.Key];
    for (const t of input.TransactItems ?? []) keyed.push(t.Put?.Item, t.Update?.Key);
    for (const reqs of Object.values(input.RequestItems ?? {})) for (const r of reqs) keyed.push(r.PutRequest?.Item);
    for (const k of keyed) this.add(this.of(k));
  }

  add(k: LotKey | undefined) {
    if (k) this.dirty.set(`${k.gtin}|${k.lot}`, k);
  }

  /** The lots written since the last drain, and an empty set. */
  drain(): LotKey[] {
    const out = [...this.dirty.values()];
    this.dirty.clear();
    return out;
  }
}
