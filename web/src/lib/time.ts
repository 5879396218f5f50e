/** Time left until `dueBy` in words: `23 h 59 min left`, `overdue by 2 h 5 min`. */
export function countdown(dueBy: string, now: Date): { text: string; overdue: boolean; ms: number } {
  const ms = Date.parse(dueBy) - now.getTime();
  if (Number.isNaN(ms)) return { text: 'no deadline', overdue: false, ms: Number.NaN };
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = Math.floor((abs % 60_000) / 1000);
  const span = h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
  return ms >= 0 ? { text: `${span} left`, overdue: false, ms } : { text: `overdue by ${span}`, overdue: true, ms };
}

export const today = () => new Date().toISOString().slice(0, 10);
export const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
/** A local `datetime-local` value as an ISO instant with the browser's offset. */
export function instantOf(local: string): string {
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return local;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const localIso = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  return `${localIso}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}
export const nowInstant = () => instantOf(new Date().toString());
export const fmtTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '–');
export const fmtQty = (n: number | null | undefined) =>
  n === null || n === undefined ? '–' : n.toLocaleString(undefined, { maximumFractionDigits: 3 });
