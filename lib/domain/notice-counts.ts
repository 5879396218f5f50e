/**
 * The notice counters of a recall (GET /recalls/{id} `notices`), kept as sums beside the notices instead of counted by
 * reading every notice. Each counter is a function of one notice's state, summed over the recall's notices; a store
 * moves a notice from one state to the next and adds the difference of the two states' counts in the same atomic
 * write, guarded by the state it read. So a retried or raced transition adds its difference once or not at all.
 */
export const COUNTERS = ['written', 'published', 'delivered', 'acknowledged', 'failed', 'notNotifiable', 'pending', 'followUps'] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counts = Record<Counter, number>;

/** What of a notice the counters depend on. */
export type NoticeState = {
  status: 'pending' | 'published' | 'failed' | 'unreachable';
  followUp: number;
  /** handed to every channel at least once (`firstPublishedAt`) */
  published: boolean;
  /** `deliveredAt` */
  delivered: boolean;
  /** `acknowledgedAt` */
  acknowledged: boolean;
};

export const zeroCounts = (): Counts => ({
  written: 0,
  published: 0,
  delivered: 0,
  acknowledged: 0,
  failed: 0,
  notNotifiable: 0,
  pending: 0,
  followUps: 0,
});

/** The counted state of a notice (lib/domain/recall-store.ts `Notice`). */
export const stateOf = (n: {
  status: NoticeState['status'];
  followUp: number;
  firstPublishedAt?: string;
  deliveredAt?: string;
  acknowledgedAt?: string;
}): NoticeState => ({
  status: n.status,
  followUp: n.followUp,
  published: n.firstPublishedAt !== undefined,
  delivered: n.deliveredAt !== undefined,
  acknowledged: n.acknowledgedAt !== undefined,
});

/**
 * What one notice in state `s` adds to the counters (nothing for a notice not written).
 * @example countsOf({ status: 'published', followUp: 1, published: true, delivered: false, acknowledged: false }).followUps // 1
 */
export function countsOf(s: NoticeState | undefined): Counts {
  const c = zeroCounts();
  if (!s) return c;
  c.written = 1;
  c.published = Number(s.published);
  c.delivered = Number(s.delivered);
  c.acknowledged = Number(s.acknowledged);
  c.failed = Number(s.status === 'failed');
  c.notNotifiable = Number(s.status === 'unreachable');
  c.pending = Number(s.status === 'pending');
  c.followUps = s.followUp;
  return c;
}

/** The counters' change when a notice moves from `before` (undefined: not written yet) to `after`; only the counters that change. */
export function countsDelta(before: NoticeState | undefined, after: NoticeState): Partial<Counts> {
  const a = countsOf(before);
  const b = countsOf(after);
  const out: Partial<Counts> = {};
  for (const k of COUNTERS) if (b[k] !== a[k]) out[k] = b[k] - a[k];
  return out;
}

/** Several changes added up (one counter write for a batch of notices). */
export function addCounts(into: Partial<Counts>, more: Partial<Counts>): Partial<Counts> {
  for (const k of COUNTERS) {
    const v = (into[k] ?? 0) + (more[k] ?? 0);
    if (v === 0) delete into[k];
    else into[k] = v;
  }
  return into;
}

export const sameState = (a: NoticeState, b: NoticeState) =>
  a.status === b.status &&
  a.followUp === b.followUp &&
  a.published === b.published &&
  a.delivered === b.delivered &&
  a.acknowledged === b.acknowledged;

/** The sum of counter shards (items read back from the store; a missing counter is 0). */
export function sumCounts(shards: Partial<Record<Counter, unknown>>[]): Counts {
  const c = zeroCounts();
  for (const s of shards) for (const k of COUNTERS) c[k] += Number(s[k] ?? 0) || 0;
  return c;
}
