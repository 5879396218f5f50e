import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { type EmailEvent, onEmailEvent } from '../lib/domain/email-events.js';
import { publishDue } from '../lib/domain/notice-outbox.js';
import { notifyShard, openShardsOf } from '../lib/domain/recall-fanout.js';
import { withOwnLogger } from '../lib/http/own-logger.js';
import { fromNoticeTag } from '../lib/notify/ses-email-sender.js';
import type { ShardMessage } from '../lib/notify/sqs-shard-queue.js';
import { type Deps, deps, need } from './deps.js';

export type NotifierDeps = Pick<
  Deps,
  'recalls' | 'master' | 'senders' | 'contacts' | 'clock' | 'newAckToken' | 'confirmsDelivery' | 'shardQueue' | 'logger' | 'notify' | 'leaseMs'
>;

const isSqs = (e: unknown): e is SQSEvent =>
  typeof e === 'object' && e !== null && Array.isArray((e as SQSEvent).Records) && (e as SQSEvent).Records.every((r) => r?.eventSource === 'aws:sqs');

type SnsEvent = { Records: { EventSource?: string; Sns?: { Message?: string } }[] };
const isSns = (e: unknown): e is SnsEvent =>
  typeof e === 'object' && e !== null && Array.isArray((e as SnsEvent).Records) && (e as SnsEvent).Records.some((r) => r?.EventSource === 'aws:sns');

const SES_KINDS: Record<string, EmailEvent['kind']> = { Delivery: 'delivered', Bounce: 'bounced', Complaint: 'complained', Reject: 'rejected' };

/** An SES event (as SNS carries it) about one of our notices, or undefined. Transient bounces are not final. */
export function emailEventOf(message: string | undefined): EmailEvent | undefined {
  try {
    const e = JSON.parse(message ?? '') as { eventType?: string; bounce?: { bounceType?: string }; mail?: { tags?: Record<string, string[]> } };
    const tag = e.mail?.tags?.notice?.[0];
    const notice = tag ? fromNoticeTag(tag) : undefined;
    if (!notice || !e.eventType || !Object.hasOwn(SES_KINDS, e.eventType)) return undefined;
    if (e.eventType === 'Bounce' && e.bounce?.bounceType !== 'Permanent') return { kind: 'other', notice };
    return { kind: SES_KINDS[e.eventType] as EmailEvent['kind'], notice };
  } catch {
    return undefined;
  }
}

/**
 * The recall notifier: the only function that reads contact details and sends email and SMS. Fed by the notifier
 * queue (one message = one shard of recipients: write its notices, send them), and by the table stream and a
 * schedule (send what is due in the outbox: retries, follow-ups, reroutes after a bounce, notices a crashed run left;
 * and queue again the shards of a recall still notifying that no run finished). Logs counts only, never a recipient.
 */
export const makeRecallNotifier = (d: NotifierDeps) => {
  const own = withOwnLogger(d);
  const { logger } = own;
  const { senders, notify } = need(need(own, 'senders'), 'notify');
  const send = { ...own, senders, firm: notify.firm, consoleUrl: notify.consoleUrl };
  const processor = new BatchProcessor(EventType.SQS);
  const onRecord = async (record: SQSRecord) => {
    let msg: Partial<ShardMessage>;
    try {
      msg = JSON.parse(record.body) as Partial<ShardMessage>;
    } catch {
      logger.error('shard message is not JSON; dropped', { messageId: record.messageId });
      return;
    }
    if (typeof msg.recallId !== 'string' || !Number.isInteger(msg.shard)) {
      logger.error('shard message names no recall shard; dropped', { messageId: record.messageId });
      return;
    }
    const r = await notifyShard(send, msg.recallId, msg.shard as number);
    logger.info('recall shard notified', { recallId: msg.recallId, shard: msg.shard, ...r });
  };
  return middy(async (event: unknown, context: Context) => {
    if (isSns(event)) {
      let applied = 0;
      for (const r of event.Records) {
        const e = emailEventOf(r.Sns?.Message);
        if (e && (await onEmailEvent(own, e)) !== 'ignored') applied++;
      }
      logger.info('email events applied', { events: event.Records.length, applied });
      return { applied };
    }
    if (isSqs(event) && event.Records.length > 0)
      return processPartialResponse(event, onRecord, processor, { context, throwOnFullBatchFailure: false });
    // Stream or schedule: the outbox, then shards no run finished (their message was lost, or their run crashed).
    const open = await openShardsOf(own);
    if (open.length) {
      await own.shardQueue.send(open);
      logger.info('recall shards queued again', { shards: open.length });
    }
    const r = await publishDue(send);
    if (r.published || r.failed) logger.info('notices published', r);
    return r;
  }).use(injectLambdaContext(logger, { resetKeys: true }));
};
export const handler = makeRecallNotifier(deps());
