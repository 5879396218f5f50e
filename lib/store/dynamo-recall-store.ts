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
import type { OutboxStore } from '../domain/notice-outbox.js';
import type { Ack, Notice, RecallRecord, RecallStore } from '../domain/recall.js';
import { written } from './conditional.js';
import { fromItem } from './items.js';
import { queryAll } from './query-all.js';

type Item = Record<string, unknown>;

/** Pending notices spread over a few outbox partitions, so a 10,000-notice recall does not write one index key. */
export const OUTBOX_SHARDS = 4;
const shardOf = (siteId: string) => (createHash('sha1').update(siteId).digest()[0] as number) % OUTBOX_SHARDS;

const recallKey = (id: string) => ({ pk: `RECALL#${id}`, sk: 'RECALL' });
const noticeKey = (recallId: string, siteId: string) => ({ pk: `RECALL#${recallId}`, sk: `NOTICE#${siteId}` });
const ackKey = (recallId: string, siteId: string) => ({ pk: `RECALL#${recallId}`, sk: `ACK#${siteId}` });

/** A pending notice is listed in the outbox index by when it is next due; published ones leave it. */
const outboxAttrs = (n: Pick<Notice, 'siteId' | 'recallId' | 'createdAt' | 'nextAttemptAt'>) => ({
  gsi1pk: `OUTBOX#${shardOf(n.siteId)}`,
  gsi1sk: `${n.nextAttemptAt ?? n.createdAt}#${n.recallId}#${n.siteId}`,
});

const noticeItem = (n: Notice): Item => ({
  ...noticeKey(n.recallId, n.siteId),
  entity: 'notice',
  ...n,
  ...(n.status === 'pending' ? outboxAttrs(n) : {}),
});

/** Recalls, their notices (the outbox) and acknowledgements, in the single table. Never deletes. */
export class DynamoRecallStore implements RecallStore, OutboxStore {
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

  /** 100 notices a transaction, each only if absent; a chunk that meets an existing notice (a resumed recall) goes one by one. */
  async putNotices(notices: Notice[]) {
    const chunks: Notice[][] = [];
    for (let i = 0; i < notices.length; i += 100) chunks.push(notices.slice(i, i + 100));
    await forEachLimit(chunks, 4, async (chunk) => {
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: chunk.map((n) => ({
              Put: { TableName: this.table, Item: noticeItem(n), ConditionExpression: 'attribute_not_exists(pk)' },
            })),
          }),
        );
      } catch (e) {
        if (!(e instanceof TransactionCanceledException) && (e as Error).name !== 'TransactionConflictException') throw e;
        for (const n of chunk) {
          await written(
            this.doc.send(new PutCommand({ TableName: this.table, Item: noticeItem(n), ConditionExpression: 'attribute_not_exists(pk)' })),
          );
        }
      }
    });
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
    return items.map((i) => fromItem<Notice>(i));
  }

  async getNotice(recallId: string, siteId: string) {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: noticeKey(recallId, siteId), ConsistentRead: true }));
    return r.Item ? fromItem<Notice>(r.Item) : undefined;
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
        out.push(...(r.Items ?? []).map((i) => fromItem<Notice>(i)).filter((n) => n.status === 'pending'));
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

  async markPublished(n: Notice, messageId: string, at: string) {
    await this.ignoreChanged(
      new UpdateCommand({
        TableName: this.table,
        Key: noticeKey(n.recallId, n.siteId),
        UpdateExpression:
          'SET #s = :published, messageId = :mid, publishedAt = :at, firstPublishedAt = if_not_exists(firstPublishedAt, :at), attempts = attempts + :one REMOVE gsi1pk, gsi1sk, leaseUntil, nextAttemptAt, lastError',
        ConditionExpression: 'followUp = :f',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':published': 'published', ':mid': messageId, ':at': at, ':one': 1, ':f': n.followUp },
      }),
    );
  }

  async markFailed(n: Notice, error: string, nextAttemptAt: string) {
    const o = outboxAttrs({ ...n, nextAttemptAt });
    await this.ignoreChanged(
      new UpdateCommand({
        TableName: this.table,
        Key: noticeKey(n.recallId, n.siteId),
        UpdateExpression: 'SET lastError = :e, nextAttemptAt = :next, attempts = attempts + :one, gsi1sk = :sk REMOVE leaseUntil',
        ConditionExpression: '#s = :pending AND followUp = :f',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':e': error, ':next': nextAttemptAt, ':one': 1, ':sk': o.gsi1sk, ':pending': 'pending', ':f': n.followUp },
      }),
    );
  }

  /** A notice that moved on meanwhile (a follow-up queued, another publisher finished it) needs no update from us. */
  private async ignoreChanged(cmd: UpdateCommand) {
    await written(this.doc.send(cmd));
  }

  async activeRecalls() {
    const items = await this.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'RECALLS' } });
    return items.map((i) => fromItem<RecallRecord>(i)).filter((r) => r.status === 'active');
  }

  async scheduleFollowUp(n: Notice, now: string) {
    const next = { ...n, followUp: n.followUp + 1, nextAttemptAt: now };
    return written(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: noticeKey(n.recallId, n.siteId),
          UpdateExpression: 'SET #s = :pending, followUp = :next, nextAttemptAt = :now, gsi1pk = :pk, gsi1sk = :sk',
          ConditionExpression: '#s = :published AND followUp = :f AND attribute_not_exists(acknowledgedAt)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':published': 'published',
            ':next': next.followUp,
            ':now': now,
            ':f': n.followUp,
            ...Object.fromEntries(Object.entries(outboxAttrs(next)).map(([k, v]) => [k === 'gsi1pk' ? ':pk' : ':sk', v])),
          },
        }),
      ),
    );
  }
}
