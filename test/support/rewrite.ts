import { GENESIS_HASH } from '../../lib/domain/canonical.js';
import { type LedgerEntry, sealEntry } from '../../lib/domain/ledger.js';

/** Rewrite a chain the way a careful forger would: change one entry, then re-link and re-hash every entry after it. */
export function forgeChain(entries: LedgerEntry[], change: (e: LedgerEntry) => LedgerEntry): LedgerEntry[] {
  let prev = GENESIS_HASH;
  return entries.map((e, i) => {
    const { hash: _hash, ...rest } = i === 0 ? change(e) : e;
    const sealed = sealEntry({ ...rest, prevHash: prev });
    prev = sealed.hash;
    return sealed;
  });
}
