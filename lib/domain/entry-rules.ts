import type { LedgerEntryType } from './ledger.js';
import type { MovementType } from './movement.js';
import { MOVEMENT_RULES, type MovementRule } from './movement-types.js';

/** The ledger entries that change a lot's status, not its stock: they are no movement type and have no movement rule. */
export type StatusEntryType = Exclude<LedgerEntryType, MovementType>;

const STATUS_TYPES: Record<StatusEntryType, true> = { hold: true, release: true, recall: true };

/** Whether an entry type is a status change (hold, release, recall). */
export const isStatusType = (type: LedgerEntryType): type is StatusEntryType => Object.hasOwn(STATUS_TYPES, type);

/** The movement rule of a ledger entry's type; undefined for the status entries.
 * @example ruleOfEntry('ship')?.cte // ['Shipping']
 */
export const ruleOfEntry = (type: LedgerEntryType): MovementRule | undefined => (isStatusType(type) ? undefined : MOVEMENT_RULES[type]);
