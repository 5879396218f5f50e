import { createHash } from 'node:crypto';
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
} from '@aws-sdk/lib-dynamodb';
import { forEachLimit } from '../domain/concurrency.js';
import { NOTICES_BEFORE_CHANNELS, type NoticeChannel } from '../domain/notice-channels.js';
import type {
  Ack,
  AckToken,
  EffectivenessCheck,
  FanoutStore,
  Notice,
  OutboxStore,
  RecallRecord,
  RecallShard,
  RecallStore,
} from '../domain/recall-store.js';
import { batchGetAll } from './batch-get.js';
import { written } from './conditional.js';
import { fromItem } from './items.js';
import { queryAll } from './query-all.js';

type Item = Record<string, unknown>;

/** Pending notices spread over a few outbox partitions, so a large recall does not write one index key. */
export const OUTBOX_SHARDS = 4;
const shardOf = (siteId: string) => (createHash('sha1').update(siteId).digest()[0] as number) % OUTBOX_SHARDS;

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

/** Recalls, their shards, notices (the outbox), link tokens, acknowledgements and checks, in the single table. Never deletes. */
export class DynamoRecallStore implements RecallStore, OutboxStore, FanoutStore {
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

  /** Each shard only if absent (a resumed recall finds them there), 8 in flight. */
  async putShards(shards: RecallShard[]) {
    await forEachLimit(shards, 8, async (s) => {
      await written(
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...shardKey(s.recallId, s.shard), entity: 'recall-shard', ...s },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    });
  }

  async getShard(recallId: string, shard: number) {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: shardKey(recallId, shard), ConsistentRead: true }));
    return r.Item ? fromItem<RecallShard>(r.Item) : undefined;
  }

  async shards(recallId: string) {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': `RECALL#${recallId}`, ':p': 'SHARD#' },
      ConsistentRead: true,
    });
    return items.map((i) => fromItem<RecallShard>(i));
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

  /** 50 notices and their tokens a transaction, each only if absent; a chunk that meets an existing notice goes one by one. */
  async writeNotices(items: { notice: Notice; token: AckToken }[]) {
    const done = new Set<string>();
    const put = (x: { notice: Notice; token: AckToken }) => [
      { Put: { TableName: this.table, Item: noticeItem(x.notice), ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Put: {
          TableName: this.table,
          Item: { ...tokenKey(x.token.tokenHash), entity: 'ack-token', ...x.token },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
    const chunks: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += 50) chunks.push(items.slice(i, i + 50));
    await forEachLimit(chunks, 4, async (chunk) => {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: chunk.flatMap(put) }));
        for (const x of chunk) done.add(x.notice.siteId);
      } catch (e) {
        if (!isCancelled(e)) throw e;
        for (const x of chunk) {
          try {
            await this.doc.send(new TransactWriteCommand({ TransactItems: put(x) }));
            done.add(x.notice.siteId);
          } catch (e2) {
            if (!isCancelled(e2)) throw e2;
          }
        }
      }
    });
    return done;
  }

  async notifyingRecalls() {
    const items = await this.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'RECALLS' } });
    return items.map((i) => fromItem<RecallRecord>(i)).filter((r) => r.status === 'notifying');
  }

  private queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    return queryAll(this.doc, this.table, input);
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

  /** The acknowledgement and the notice's acknowledgedAt in one transaction. */
  async putAck(ack: Ack) {
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table, Item: { ...ackKey(ack.recallId, ack.siteId), entity: 'ack', ...ack } } },
          {
            Update: {
              TableName: this.table,
              Key: noticeKey(ack.recallId, ack.siteId),
              UpdateExpression: 'SET acknowledgedAt = if_not_exists(acknowledgedAt, :at)',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':at': ack.receivedAt },
            },
          },
        ],
      }),
    );
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
    const delivered = o.delivered ?? true;
    await this.ignoreChanged(
      new UpdateCommand({
        TableName: this.table,
        Key: noticeKey(n.recallId, n.siteId),
        UpdateExpression: `SET #s = :published, messageId = :mid, publishedAt = :at, firstPublishedAt = if_not_exists(firstPublishedAt, :at), attempts = attempts + :one, used = list_append(if_not_exists(used, :none), :ch)${delivered ? ', deliveredAt = if_not_exists(deliveredAt, :at)' : ''} REMOVE gsi1pk, gsi1sk, leaseUntil, nextAttemptAt, lastError, sent`,
        ConditionExpression: 'followUp = :f',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':published': 'published',
          ':mid': messageId,
          ':at': at,
          ':one': 1,
          ':f': n.followUp,
          ':none': [],
          ':ch': o.channels ?? n.channels,
        },
      }),
    );
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
    await this.ignoreChanged(
      new UpdateCommand({
        TableName: this.table,
        Key: noticeKey(n.recallId, n.siteId),
        UpdateExpression: 'SET #s = :failed, lastError = :e, attempts = attempts + :one REMOVE gsi1pk, gsi1sk, leaseUntil, nextAttemptAt',
        ConditionExpression: 'followUp = :f',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed', ':e': error, ':one': 1, ':f': n.followUp },
      }),
    );
  }

  async reroute(n: Notice, channels: NoticeChannel[], now: string, error: string) {
    const o = outboxAttrs({ ...n, nextAttemptAt: now });
    return written(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: noticeKey(n.recallId, n.siteId),
          UpdateExpression:
            'SET #s = :pending, channels = :c, sent = :none, nextAttemptAt = :now, lastError = :e, gsi1pk = :pk, gsi1sk = :sk REMOVE leaseUntil, fallback',
          ConditionExpression: 'followUp = :f AND attribute_exists(pk)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':c': channels,
            ':none': [],
            ':now': now,
            ':e': error,
            ':pk': o.gsi1pk,
            ':sk': o.gsi1sk,
            ':f': n.followUp,
          },
        }),
      ),
    );
  }

  async markDelivered(n: Notice, at: string) {
    await this.ignoreChanged(
      new UpdateCommand({
        TableName: this.table,
        Key: noticeKey(n.recallId, n.siteId),
        UpdateExpression: 'SET deliveredAt = if_not_exists(deliveredAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
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
    return written(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: noticeKey(n.recallId, n.siteId),
          UpdateExpression: `SET #s = :pending, followUp = :next, nextAttemptAt = :now, gsi1pk = :pk, gsi1sk = :sk, sent = :none${channels ? ', channels = :c, escalated = :t' : ''}`,
          ConditionExpression: '#s = :published AND followUp = :f AND attribute_not_exists(acknowledgedAt)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
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
        }),
      ),
    );
  }
}
