import type { Clock } from './clock.js';

export const DAY_MS = 86_400_000;

/** Today's date (UTC) on the injected clock.
 * @example todayOf(fixedClock('2026-03-01T23:30:00Z')) // '2026-03-01'
 */
export const todayOf = (clock: Clock) => clock.now().toISOString().slice(0, 10);

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier.
 * @example daysBetween('2026-03-01', '2026-03-04') // 3
 */
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
