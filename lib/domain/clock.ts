/** Injected time source: domain code never calls `Date.now()` itself, so tests pass a fixed clock. */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

/** A clock stuck at one instant, for tests and replays.
 * @example fixedClock('2026-03-01T00:00:00Z').now().toISOString() // '2026-03-01T00:00:00.000Z'
 */
export const fixedClock = (iso: string): Clock => ({ now: () => new Date(iso) });
