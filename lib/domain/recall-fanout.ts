import { linkToken, tokenHash } from './ack-tokens.js';
import type { Clock } from './clock.js';
import type { MasterDataStore } from './master-data.js';
import { type Contact, channelsFor, fallbackFor } from './notice-channels.js';
import { type Ready, type SendCounts, type SendDeps, sendNotices } from './notice-send.js';
import { type BlastRadius, unitsAtRiskOf } from './recall-blast-radius.js';
import type { FanoutStore, Notice, RecallShard, Recipient } from './recall-store.js';

/** Most recipients in one shard, and most bytes of recipients (a DynamoDB item holds 400 KB). */
export const SHARD_RECIPIENTS = 500;
const SHARD_BYTES = 250_000;
/** How long the notifier holds the notices it writes before the outbox may send them instead (a crash leaves them there). */
export const NOTIFIER_LEASE_MS = 120_000;

/**
 * The recipients of a recall in shards the notifier takes one at a time: at most SHARD_RECIPIENTS each, and small
 * enough to be one item.
 * @example shardsOf('R-1', radius).length // Math.ceil(radius.sites.length / 500) for one product line each
 */
export function shardsOf(recallId: string, radius: Pick<BlastRadius, 'sites' | 'perSite'>): RecallShard[] {
  const shards: RecallShard[] = [];
  let current: Recipient[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length) shards.push({ recallId, shard: shards.length, recipients: current });
    current = [];
    bytes = 0;
  };
  for (const s of radius.sites) {
    const r: Recipient = {
      siteId: s.siteId,
      kind: s.kind,
      quantity: unitsAtRiskOf(s),
      received: s.received,
      products: radius.perSite.get(s.siteId) ?? [],
    };
    const size = JSON.stringify(r).length;
    if (current.length >= SHARD_RECIPIENTS || (current.length > 0 && bytes + size > SHARD_BYTES)) flush();
    current.push(r);
    bytes += size;
  }
  flush();
  return shards;
}

export type FanoutDeps = Omit<SendDeps, 'recalls'> & {
  /** how long a notifier run holds what it wrote (default NOTIFIER_LEASE_MS) */
  leaseMs?: number;
  recalls: FanoutStore & SendDeps['recalls'];
  master: Pick<MasterDataStore, 'getSites'>;
  clock: Clock;
};

/**
 * The notifier's work for one shard, safe to run again at any point: write the notices that do not exist yet (each
 * with its link token's hash, in the same transaction), send those it wrote now, then mark the shard done. A notice
 * written by an earlier run that crashed stays leased for NOTIFIER_LEASE_MS, then the outbox sends it with a fresh
 * token; a shard that never finished is queued again by the sweeper. So a crash at any moment loses no notice.
 */
export async function notifyShard(d: FanoutDeps, recallId: string, shardNo: number): Promise<SendCounts & { written: number }> {
  const counts = { published: 0, failed: 0, written: 0 };
  const [r, shard] = await Promise.all([d.recalls.getRecall(recallId), d.recalls.getShard(recallId, shardNo)]);
  if (!r || !shard || shard.done) return counts;
  const ids = shard.recipients.map((x) => x.siteId);
  const [existing, sites, contacts] = await Promise.all([d.recalls.noticesOf(recallId, ids), d.master.getSites(ids), d.contacts.contacts(ids)]);
  const now = d.clock.now();
  const lease = new Date(now.getTime() + (d.leaseMs ?? NOTIFIER_LEASE_MS)).toISOString();
  const fresh: { notice: Notice; plain: string }[] = [];
  for (const x of shard.recipients) {
    if (existing.has(x.siteId)) continue;
    const contact: Contact | undefined = contacts.get(x.siteId);
    const channels = channelsFor(x.kind, contact);
    const fallback = fallbackFor(channels, contact);
    const notice: Notice = {
      recallId,
      siteId: x.siteId,
      kind: x.kind,
      name: sites.get(x.siteId)?.name ?? x.siteId,
      channels,
      channel: channels[0] ?? 'sns',
      ...(fallback ? { fallback } : {}),
      status: channels.length ? 'pending' : 'unreachable',
      followUp: 0,
      quantity: x.quantity,
      received: x.received,
      products: x.products,
      createdAt: now.toISOString(),
      attempts: 0,
      shard: shardNo,
      // Leased to this run: the outbox leaves it alone unless this run dies.
      nextAttemptAt: lease,
    };
    const plain = linkToken(recallId, x.siteId, d.newAckToken());
    // the first link's hash is kept in the notice itself (its token names the notice): no token item to write
    notice.tokenHash = tokenHash(plain);
    fresh.push({ notice, plain });
  }
  const written = await d.recalls.writeNotices(fresh.map(({ notice }) => ({ notice })));
  counts.written = written.size;
  const ready: Ready[] = fresh
    .filter((f) => written.has(f.notice.siteId) && f.notice.status === 'pending')
    .map((f) => ({ notice: f.notice, token: f.plain }));
  await sendNotices(d, r, ready, counts, contacts);
  await d.recalls.finishShard(recallId, shardNo);
  return counts;
}

/** The shard messages of a recall still notifying whose shards are not done: the sweeper queues them again. */
export async function openShardsOf(d: { recalls: FanoutStore; clock: Clock; leaseMs?: number }): Promise<{ recallId: string; shard: number }[]> {
  const now = d.clock.now();
  const before = new Date(now.getTime() - (d.leaseMs ?? NOTIFIER_LEASE_MS)).toISOString();
  const out: { recallId: string; shard: number }[] = [];
  for (const r of await d.recalls.notifyingRecalls())
    for (const shard of await d.recalls.openShards(r.recallId))
      if (await d.recalls.claimRequeue(r.recallId, shard, now.toISOString(), before)) out.push({ recallId: r.recallId, shard });
  return out;
}
