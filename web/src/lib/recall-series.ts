import type { Report } from './types';

export type Point = { x: Date; y: number };
export type Series = { notified: Point[]; acknowledged: Point[] };

/** A step curve: how many of the instants had passed at each of them (and at `now`). */
function cumulative(instants: (string | null | undefined)[], now: Date): Point[] {
  const times = instants
    .filter((t): t is string => typeof t === 'string')
    .map((t) => Date.parse(t))
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b);
  const points: Point[] = times.map((t, i) => ({ x: new Date(t), y: i + 1 }));
  // Several notices in one millisecond are one step.
  const steps = points.filter((p, i) => points[i + 1]?.x.getTime() !== p.x.getTime());
  const last = steps.at(-1);
  if (last && now.getTime() > last.x.getTime()) steps.push({ x: now, y: last.y });
  return steps;
}

/**
 * Notices and acknowledgements over time, from the 7.53 report: when each consignee was notified and when each answered.
 * Both curves start at the recall's issue time at 0.
 */
export function recallSeries(report: Pick<Report, 'issuedAt' | 'consigneesNotified' | 'responded'>, now: Date): Series {
  const start = { x: new Date(report.issuedAt), y: 0 };
  const notified = cumulative(
    report.consigneesNotified.items.map((i) => i.notifiedAt),
    now,
  );
  const acknowledged = cumulative(
    report.responded.items.map((i) => i.respondedAt),
    now,
  );
  const withStart = (s: Point[]) => (s.length === 0 || s[0]?.x.getTime() !== start.x.getTime() ? [start, ...s] : s);
  return { notified: withStart(notified), acknowledged: withStart(acknowledged.length ? acknowledged : [{ x: now, y: 0 }]) };
}
