import { createHash, randomInt } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { forEachLimit } from '../domain/concurrency.js';
import type { ListQuery, RecallLister, StorePage } from '../domain/listings.js';
import { NOTICES_BEFORE_CHANNELS, type NoticeChannel } from '../domain/notice-channels.js';
import { addCounts, type Counts, countsDelta, type NoticeState, sameState, stateOf, sumCounts } from '../domain/notice-counts.js';
import type {
  Ack,
  AckToken,
  EffectivenessCheck,
  FanoutStore,
  Notice,
  OutboxStore,
  PublishedNotice,
  RecallRecord,
  RecallShard,
  RecallStore,
} from '../domain/recall-store.js';
import { batchGetAll } from './batch-get.js';
import { written } from './conditional.js';
import { fromItem } from './items.js';
import { listingPage } from './listing-page.js';
import { queryAll } from './query-all.js';

type Item = Record<string, unknown>;

/** Pending notices spread over a few outbox partitions, so a large recall does not write one index key. */
export const OUTBOX_SHARDS = 4;

/** A shard item's recipients: gzipped JSON (`recipientsGz`), or a plain list in shards written before. */
function shardFromItem(item: Item): RecallShard {
  const { recipientsGz, count: _count, ...rest } = item;
  const recipients = recipientsGz instanceof Uint8Array ? JSON.parse(gunzipSync(recipientsGz).toString('utf8')) : rest.recipients;
  return fromItem<RecallShard>({ ...rest, recipients });
}
const recipientCount = (item: Item) => (typeof item.count === 'number' ? item.count : ((item.recipients as unknown[] | undefined)?.length ?? 0));

const shardOf = (siteId: string) => (createHash('sha1').update(siteId).digest()[0] as number) % OUTBOX_SHARDS;

/**
 * The notice counters of a recall are spread over this many items (`COUNT#nn` under the recall), each write adding to
 * one picked at random, GET /recalls/{id} summing them. One item takes at most 1,000 WCU/s (one transactional write of
 * a small item costs 2): a 100,000-customer recall moves each notice 2-3 times (written, published, delivered) at
 * several hundred notices a second, so one counter item would be the hot key; 16 take 1/16 of it each. The notices
 * themselves share the recall's partition key but not their sort keys, which DynamoDB splits for heat.
 */
export const COUNTER_SHARDS = 16;
const counterKey = (recallId: string, k: number) => ({ pk: `RECALL#${recallId}`, sk: `COUNT#${String(k).padStart(2, '0')}` });
/** Attempts of a counted notice change that keeps meeting another writer (or a counter shard another transaction holds). */
const TRANSITION_ATTEMPTS = 10;

const recallKey = (id: string) => ({ pk: `RECALL#${id}`, sk: 'RECALL' });
const noticeKey = (recallId: string, siteId: string) => ({ pk: `RECALL#${recallId}`, sk: `NOTICE#${siteId}` });
const ackKey = (recallId: string, siteId: string) => ({ pk: `RECALL#${recallId}`, sk: `ACK#${siteId}` });
const shardKey = (recallId: string, shard: number) => ({ pk: `RECALL#${recallId}`, sk: `SHARD#${String(shard).padStart(6, '0')}` });
/** Under RECALL# (the recall item kind) but never a recall: a recall's sort key is RECALL, a token's TOKEN. */
const tokenKey = (hash: string) => ({ pk: `RECALL#TOKEN#${hash}`, sk: 'TOKEN' });

/** A pending notice is listed in the outbox index by when it is next due; published ones leave it. */
const outboxAttrs = (n: Pick<Notice, 'siteId' | 'recallId' | 'createdAt' | 'nextAttemptAt'>) => ({
  gsi1pk: `OUTBOX#${shardOf(n.siteId)}`,
  gsi1sk: `${n.nextAttemptAt ?? n.createdAt}#${n.recallId}#${n.siteId}`,
});

/** Notices written before notices recorded their channels all went through the one channel there was. */
const noticeOf = (item: Item): Notice => {
  const n = fromItem<Omit<Notice, 'channel' | 'channels'> & { channel?: NoticeChannel; channels?: NoticeChannel[] }>(item);
  const channel = n.channel ?? NOTICES_BEFORE_CHANNELS;
  return { ...n, channel, channels: n.channels ?? [channel] };
};

const noticeItem = (n: Notice): Item => ({
  ...noticeKey(n.recallId, n.siteId),
  entity: 'notice',
  ...n,
  ...(n.status === 'pending' ? outboxAttrs(n) : {}),
});

const isCancelled = (e: unknown) => e instanceof TransactionCanceledException || (e as Error).name === 'TransactionConflictException';
/** Cancelled only because another transaction held an item (nothing's condition failed): the same write may be tried again. */
const isConflictOnly = (e: unknown) => {
  if ((e as Error).name === 'TransactionConflictException') return true;
  const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((r) => r.Code === 'TransactionConflict') && !reasons.some((r) => r.Code === 'ConditionalCheckFailed');
};
const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** Math.min(attempt, 6)));

/** The condition that a notice is in state `s` exactly: a change guarded by it adds its counters' difference once. */
const guardOf = (s: NoticeState) => ({
  expression: [
    '#s = :g_s AND followUp = :g_f',
    `attribute_${s.published ? '' : 'not_'}exists(firstPublishedAt)`,
    `attribute_${s.delivered ? '' : 'not_'}exists(deliveredAt)`,
    `attribute_${s.acknowledged ? '' : 'not_'}exists(acknowledgedAt)`,
  ].join(' AND '),
  values: { ':g_s': s.status, ':g_f': s.followUp },
});

/** A change of one notice: its update (expression, base condition, values) and the state it leaves a notice in `s` in. */
type NoticeChange = {
  update: string;
  condition: string;
  names?: Record<string, string>;
  values: Record<string, unknown>;
  next: (s: NoticeState) => NoticeState;
};

/** Notice updates in one markPublishedMany transaction, beside its counter update: 99 + 1 of DynamoDB's 100 actions. */
const PUBLISHED_A_TRANSACTION = 99;

/** A notice handed to its channels: published (and delivered, unless a channel confirms delivery later). */
function publishedChange(n: Notice, messageId: string, at: string, o: { delivered?: boolean; channels?: NoticeChannel[] } = {}): NoticeChange {
  const delivered = o.delivered ?? true;
  return {
    update: `SET #s = :published, messageId = :mid, publishedAt = :at, firstPublishedAt = if_not_exists(firstPublishedAt, :at), attempts = attempts + :one, used = list_append(if_not_exists(used, :none), :ch)${delivered ? ', deliveredAt = if_not_exists(deliveredAt, :at)' : ''} REMOVE gsi1pk, gsi1sk, leaseUntil, nextAttemptAt, lastError, sent`,
    condition: 'followUp = :f',
    values: {
      ':published': 'published',
      ':mid': messageId,
      ':at': at,
      ':one': 1,
      ':f': n.followUp,
      ':none': [],
      ':ch': o.channels ?? n.channels,
    },
    next: (s) => ({ ...s, status: 'published', published: true, delivered: s.delivered || delivered }),
  };
}

/** Recalls, their shards, notices (the outbox), link tokens, acknowledgements and checks, in the single table. Never deletes. */
export class DynamoRecallStore implements RecallStore, OutboxStore, FanoutStore, RecallLister {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async createRecall(r: RecallRecord): Promise<boolean> {
    return written(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...recallKey(r.recallId), entity: 'recall', ...r, gsi1pk: 'RECALLS', gsi1sk: `${r.issuedAt}#${r.recallId}` },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async getRecall(recallId: string) {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: recallKey(recallId), ConsistentRead: true }));
    return r.Item ? fromItem<RecallRecord>(r.Item) : undefined;
  }

  async setRecallStatus(recallId: string, status: RecallRecord['status']) {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: recallKey(recallId),
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status },
      }),
    );
  }

  async closeRecall(recallId: string, at: string, reason: string) {
    return written(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: recallKey(recallId),
          UpdateExpression: 'SET #s = :closed, closedAt = :at, closeReason = :why',
          ConditionExpression: 'attribute_exists(pk) AND #s <> :closed',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':closed': 'closed', ':at': at, ':why': reason },
        }),
      ),
    );
  }

  /**
   * Each shard only if absent (a resumed recall finds them there), 8 in flight. Its recipients are stored gzipped
   * (`recipientsGz`, with their `count`): they repeat the same product lines, so a shard of 500 is about a tenth of
   * its JSON, which is most of the time a large recall takes to record.
   */
  async putShards(shards: RecallShard[]) {
    await forEachLimit(shards, 8, async (s) => {
      const { recipients, ...rest } = s;
      await written(
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...shardKey(s.recallId, s.shard),
              entity: 'recall-shard',
              ...rest,
              count: recipients.length,
              recipientsGz: gzipSync(JSON.stringify(recipients)),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    });
  }

  async getShard(recallId: string, shard: number) {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: shardKey(recallId, shard), ConsistentRead: true }));
    return r.Item ? shardFromItem(r.Item) : undefined;
  }

  /** The recall's shards in order; with `recipients`, only the first shards that hold at least that many. */
  async shards(recallId: string, opts: { recipients?: number } = {}) {
    const want = opts.recipients;
    const held = (items: readonly Item[]) => items.reduce((n, i) => n + recipientCount(i), 0);
    const items = await this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': `RECALL#${recallId}`, ':p': 'SHARD#' },
        ConsistentRead: true,
        ...(want !== undefined ? { Limit: 4 } : {}),
      },
      want === undefined ? undefined : (items) => held(items) >= want,
    );
    return items.map(shardFromItem);
  }

  async openShards(recallId: string) {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': `RECALL#${recallId}`, ':p': 'SHARD#' },
      ProjectionExpression: '#shard, done',
      ExpressionAttributeNames: { '#shard': 'shard' },
      ConsistentRead: true,
    });
    return items.filter((i) => i.done !== true).map((i) => Number(i.shard));
  }

  async claimRequeue(recallId: string, shard: number, now: string, before: string) {
    return written(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: shardKey(recallId, shard),
          UpdateExpression: 'SET queuedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(done) AND (attribute_not_exists(queuedAt) OR queuedAt < :before)',
          ExpressionAttributeValues: { ':now': now, ':before': before },
        }),
      ),
    );
  }

  async finishShard(recallId: string, shard: number) {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: shardKey(recallId, shard),
                UpdateExpression: 'SET done = :t',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(done)',
                ExpressionAttributeValues: { ':t': true },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: recallKey(recallId),
                UpdateExpression: 'ADD shardsDone :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      );
    } catch (e) {
      // Finished by an earlier run: counted once already.
      if (!(e instanceof TransactionCanceledException)) throw e;
    }
    const r = await this.getRecall(recallId);
    if (r && r.status === 'notifying' && (r.shardsDone ?? 0) >= (r.shards ?? 0)) {
      await written(
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: recallKey(recallId),
            UpdateExpression: 'SET #s = :active',
            ConditionExpression: '#s = :notifying',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':active': 'active', ':notifying': 'notifying' },
          }),
        ),
      );
    }
  }

  async noticesOf(recallId: string, siteIds: string[]) {
    const items = await batchGetAll(
      this.doc,
      this.table,
      siteIds.map((s) => noticeKey(recallId, s)),
    );
    return new Map(items.map((i) => [String(i.siteId), noticeOf(i)]));
  }

  /**
   * Notices a transaction (with the token items of those given one), each only if absent, with the counters they add;
   * a chunk that meets an existing notice goes one by one (so a notice written by an earlier run is neither written nor counted again).
   */
  async writeNotices(items: { notice: Notice; token?: AckToken }[]) {
    const done = new Set<string>();
    const put = (x: { notice: Notice; token?: AckToken }) => [
      { Put: { TableName: this.table, Item: noticeItem(x.notice), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...(x.token
        ? [
            {
              Put: {
                TableName: this.table,
                Item: { ...tokenKey(x.token.tokenHash), entity: 'ack-token', ...x.token },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]
        : []),
    ];
    const write = async (list: typeof items) => {
      const delta: Partial<Counts> = {};
      for (const x of list) addCounts(delta, countsDelta(undefined, stateOf(x.notice)));
      for (let attempt = 0; ; attempt++) {
        try {
          await this.doc.send(
            new TransactWriteCommand({ TransactItems: [...list.flatMap(put), this.counterUpdate(list[0]?.notice.recallId ?? '', delta)] }),
          );
          for (const x of list) done.add(x.notice.siteId);
          return true;
        } catch (e) {
          if (!isCancelled(e)) throw e;
          if (!isConflictOnly(e) || attempt + 1 >= TRANSITION_ATTEMPTS) return false;
          await pause(attempt);
        }
      }
    };
    // 99 notices a transaction, or 49 with their token items, beside the counter: 99 + 1 of DynamoDB's 100 actions
    const size = items.some((x) => x.token) ? 49 : 99;
    const chunks: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
    await forEachLimit(chunks, 4, async (chunk) => {
      if (await write(chunk)) return;
      for (const x of chunk) await write([x]);
    });
    return done;
  }

  /** Add `delta` to one of the recall's counter items, picked at random (see COUNTER_SHARDS). */
  private counterUpdate(recallId: string, delta: Partial<Counts>) {
    const entries = Object.entries(delta);
    return {
      Update: {
        TableName: this.table,
        Key: counterKey(recallId, randomInt(COUNTER_SHARDS)),
        UpdateExpression: `SET entity = :entity, recallId = :rid ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#c${i}`, k])),
        ExpressionAttributeValues: { ':entity': 'recall-counter', ':rid': recallId, ...Object.fromEntries(entries.map(([, v], i) => [`:c${i}`, v])) },
      },
    };
  }

  /** A notice's change as an update guarded by the state `s` it was read in (see guardOf). */
  private guardedUpdate(n: Notice, s: NoticeState, change: NoticeChange) {
    const g = guardOf(s);
    return {
      TableName: this.table,
      Key: noticeKey(n.recallId, n.siteId),
      UpdateExpression: change.update,
      ConditionExpression: `(${change.condition}) AND ${g.expression}`,
      ExpressionAttributeNames: { '#s': 'status', ...change.names },
      ExpressionAttributeValues: { ...change.values, ...g.values },
    } satisfies UpdateCommandInput;
  }

  /**
   * Change one notice and its recall's counters at once. The update is guarded by the notice's state as last read (the
   * caller's copy first): when the guard fails the notice is read again and the change recomputed from what it is now;
   * when the state is as read, the change's own condition failed and it does not apply (false). So a retry, a
   * redelivered event or two racing publishers count a transition once.
   */
  private async transition(n: Notice, change: NoticeChange): Promise<boolean> {
    let s = stateOf(n);
    for (let attempt = 0; attempt < TRANSITION_ATTEMPTS; attempt++) {
      const delta = countsDelta(s, change.next(s));
      const update = this.guardedUpdate(n, s, change);
      try {
        if (Object.keys(delta).length === 0) await this.doc.send(new UpdateCommand(update));
        else await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Update: update }, this.counterUpdate(n.recallId, delta)] }));
        return true;
      } catch (e) {
        if (isConflictOnly(e)) {
          await pause(attempt);
          continue;
        }
        if (!isCancelled(e) && (e as Error).name !== 'ConditionalCheckFailedException') throw e;
      }
      const fresh = await this.getNotice(n.recallId, n.siteId);
      if (!fresh) return false;
      const now = stateOf(fresh);
      if (sameState(now, s)) return false;
      s = now;
    }
    throw new Error(`notice ${n.recallId}/${n.siteId} kept changing under ${TRANSITION_ATTEMPTS} attempts; try again`);
  }

  /** GET /recalls/{id}'s notice counters: the sum of the recall's counter items (at most COUNTER_SHARDS of them). */
  async noticeCounts(recallId: string) {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': `RECALL#${recallId}`, ':p': 'COUNT#' },
      ConsistentRead: true,
    });
    return sumCounts(items);
  }

  listRecalls(q: ListQuery<RecallRecord['status']>): Promise<StorePage<RecallRecord>> {
    return listingPage(this.doc, this.table, 'RECALLS', q, recallKey);
  }

  async notifyingRecalls() {
    const items = await this.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'RECALLS' } });
    return items.map((i) => fromItem<RecallRecord>(i)).filter((r) => r.status === 'notifying');
  }

  private queryAll(input: Omit<QueryCommandInput, 'TableName'>, enough?: (items: readonly Item[]) => boolean): Promise<Item[]> {
    return queryAll(this.doc, this.table, input, enough);
  }

  async notices(recallId: string) {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': `RECALL#${recallId}`, ':p': 'NOTICE#' },
      ConsistentRead: true,
    });
    return items.map(noticeOf);
  }

  async getNotice(recallId: string, siteId: string) {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: noticeKey(recallId, siteId), ConsistentRead: true }));
    return r.Item ? noticeOf(r.Item) : undefined;
  }

  async acks(recallId: string) {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': `RECALL#${recallId}`, ':p': 'ACK#' },
      ConsistentRead: true,
    });
    return items.map((i) => fromItem<Ack>(i));
  }

  /**
   * The acknowledgement and the notice's acknowledgedAt in one transaction; the first acknowledgement of a notice also
   * adds 1 to `acknowledged` in it (a later one, replacing it, adds nothing).
   */
  async putAck(ack: Ack) {
    const item = { Put: { TableName: this.table, Item: { ...ackKey(ack.recallId, ack.siteId), entity: 'ack', ...ack } } };
    const mark = (first: boolean) => ({
      Update: {
        TableName: this.table,
        Key: noticeKey(ack.recallId, ack.siteId),
        UpdateExpression: 'SET acknowledgedAt = if_not_exists(acknowledgedAt, :at)',
        ConditionExpression: first ? 'attribute_exists(pk) AND attribute_not_exists(acknowledgedAt)' : 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': ack.receivedAt },
      },
    });
    for (let attempt = 0; ; attempt++) {
      const cur = await this.getNotice(ack.recallId, ack.siteId);
      const first = cur !== undefined && cur.acknowledgedAt === undefined;
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: first ? [item, mark(true), this.counterUpdate(ack.recallId, { acknowledged: 1 })] : [item, mark(false)],
          }),
        );
        return;
      } catch (e) {
        // Another acknowledgement of this site got in first (it counted), or another transaction held an item: again.
        if (!cur || !isCancelled(e) || attempt + 1 >= TRANSITION_ATTEMPTS) throw e;
        await pause(attempt);
      }
    }
  }

  async checks(recallId: string) {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': `RECALL#${recallId}`, ':p': 'CHECK#' },
      ConsistentRead: true,
    });
    return items.map((i) => fromItem<EffectivenessCheck>(i));
  }

  /** One check per site and instant: the same check sent again replaces itself. */
  async putCheck(c: EffectivenessCheck) {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `RECALL#${c.recallId}`, sk: `CHECK#${c.siteId}#${c.checkedAt}`, entity: 'recall-check', ...c },
      }),
    );
  }

  async putToken(t: AckToken) {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...tokenKey(t.tokenHash), entity: 'ack-token', ...t },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getToken(hash: string) {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: tokenKey(hash), ConsistentRead: true }));
    return r.Item ? fromItem<AckToken>(r.Item) : undefined;
  }

  async duePending(limit: number, now: string) {
    const out: Notice[] = [];
    for (let shard = 0; shard < OUTBOX_SHARDS && out.length < limit; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const r: QueryCommandOutput = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
            ExpressionAttributeValues: { ':pk': `OUTBOX#${shard}`, ':now': `${now}~` },
            Limit: limit - out.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        out.push(...(r.Items ?? []).map(noticeOf).filter((n) => n.status === 'pending'));
        start = r.LastEvaluatedKey;
      } while (start && out.length < limit);
    }
    return out;
  }

  async claim(n: Notice, now: string, leaseUntil: string) {
    return written(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: noticeKey(n.recallId, n.siteId),
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression: '#s = :pending AND followUp = :f AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':until': leaseUntil, ':pending': 'pending', ':now': now, ':f': n.followUp },
        }),
      ),
    );
  }

  async markPublished(n: Notice, messageId: string, at: string, o: { delivered?: boolean; channels?: NoticeChannel[] } = {}) {
    await this.transition(n, publishedChange(n, messageId, at, o));
  }

  /**
   * Notices a send just handed to their channels, published together: up to PUBLISHED_A_TRANSACTION notice updates in
   * one transaction, each guarded by the state its caller read, with one counter update for their summed change (a
   * notice a time was a transaction a notice). A batch that does not land (one notice moved meanwhile, a conflict)
   * goes notice by notice, each read again as markPublished does, so every transition still counts once.
   */
  async markPublishedMany(items: readonly PublishedNotice[]) {
    const chunks: PublishedNotice[][] = [];
    for (let i = 0; i < items.length; i += PUBLISHED_A_TRANSACTION) chunks.push(items.slice(i, i + PUBLISHED_A_TRANSACTION));
    await forEachLimit(chunks, 4, async (chunk) => {
      const delta: Partial<Counts> = {};
      const updates = chunk.map(({ n, messageId, at, o }) => {
        const s = stateOf(n);
        const change = publishedChange(n, messageId, at, o);
        addCounts(delta, countsDelta(s, change.next(s)));
        return { Update: this.guardedUpdate(n, s, change) };
      });
      const recallId = chunk[0]?.n.recallId ?? '';
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [...updates, ...(Object.keys(delta).length ? [this.counterUpdate(recallId, delta)] : [])],
          }),
        );
        return;
      } catch (e) {
        if (!isCancelled(e)) throw e;
      }
      for (const x of chunk) await this.markPublished(x.n, x.messageId, x.at, x.o);
    });
  }

  async markFailed(n: Notice, error: string, nextAttemptAt: string, sent: NoticeChannel[] = []) {
    const o = outboxAttrs({ ...n, nextAttemptAt });
    await this.ignoreChanged(
      new UpdateCommand({
        TableName: this.table,
        Key: noticeKey(n.recallId, n.siteId),
        UpdateExpression:
          'SET lastError = :e, nextAttemptAt = :next, attempts = attempts + :one, gsi1pk = :pk, gsi1sk = :sk, sent = :sent REMOVE leaseUntil',
        ConditionExpression: '#s = :pending AND followUp = :f',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':e': error,
          ':next': nextAttemptAt,
          ':one': 1,
          ':pk': o.gsi1pk,
          ':sk': o.gsi1sk,
          ':pending': 'pending',
          ':f': n.followUp,
          ':sent': sent,
        },
      }),
    );
  }

  async markDead(n: Notice, error: string) {
    await this.transition(n, {
      update: 'SET #s = :failed, lastError = :e, attempts = attempts + :one REMOVE gsi1pk, gsi1sk, leaseUntil, nextAttemptAt',
      condition: 'followUp = :f',
      values: { ':failed': 'failed', ':e': error, ':one': 1, ':f': n.followUp },
      next: (s) => ({ ...s, status: 'failed' }),
    });
  }

  async reroute(n: Notice, channels: NoticeChannel[], now: string, error: string) {
    const o = outboxAttrs({ ...n, nextAttemptAt: now });
    return this.transition(n, {
      update:
        'SET #s = :pending, channels = :c, sent = :none, nextAttemptAt = :now, lastError = :e, gsi1pk = :pk, gsi1sk = :sk REMOVE leaseUntil, fallback',
      condition: 'followUp = :f AND attribute_exists(pk)',
      values: { ':pending': 'pending', ':c': channels, ':none': [], ':now': now, ':e': error, ':pk': o.gsi1pk, ':sk': o.gsi1sk, ':f': n.followUp },
      next: (s) => ({ ...s, status: 'pending' }),
    });
  }

  async markDelivered(n: Notice, at: string) {
    await this.transition(n, {
      update: 'SET deliveredAt = if_not_exists(deliveredAt, :at)',
      condition: 'attribute_exists(pk)',
      values: { ':at': at },
      next: (s) => ({ ...s, delivered: true }),
    });
  }

  /** A notice that moved on meanwhile (a follow-up queued, another publisher finished it) needs no update from us. */
  private async ignoreChanged(cmd: UpdateCommand) {
    await written(this.doc.send(cmd));
  }

  async activeRecalls() {
    const items = await this.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'RECALLS' } });
    return items.map((i) => fromItem<RecallRecord>(i)).filter((r) => r.status === 'active' || r.status === 'notifying');
  }

  async scheduleFollowUp(n: Notice, now: string, channels?: NoticeChannel[]) {
    const next = { ...n, followUp: n.followUp + 1, nextAttemptAt: now };
    const o = outboxAttrs(next);
    return this.transition(n, {
      update: `SET #s = :pending, followUp = :next, nextAttemptAt = :now, gsi1pk = :pk, gsi1sk = :sk, sent = :none${channels ? ', channels = :c, escalated = :t' : ''}`,
      condition: '#s = :published AND followUp = :f AND attribute_not_exists(acknowledgedAt)',
      values: {
        ':pending': 'pending',
        ':published': 'published',
        ':next': next.followUp,
        ':now': now,
        ':f': n.followUp,
        ':pk': o.gsi1pk,
        ':sk': o.gsi1sk,
        ':none': [],
        ...(channels ? { ':c': channels, ':t': true } : {}),
      },
      next: (s) => ({ ...s, status: 'pending', followUp: s.followUp + 1 }),
    });
  }
}
