import type { Clock } from './clock.js';
import { AppError } from './errors.js';
import type { AckInput } from './recall-request.js';
import { type Ack, type RecallStore, requireRecall } from './recall-store.js';

/** POST /recalls/{id}/acknowledgements: one per site; a later one replaces the earlier. Only a notified site may answer. */
export async function acknowledge(d: { recalls: RecallStore; clock: Clock }, recallId: string, input: AckInput): Promise<Ack> {
  await requireRecall(d.recalls, recallId);
  const notice = await d.recalls.getNotice(recallId, input.siteId);
  if (!notice)
    throw new AppError('invalid_state', `Site ${input.siteId} was not notified of recall ${recallId}`, [
      { path: 'siteId', message: 'not a consignee of this recall' },
    ]);
  const ack: Ack = { ...input, recallId, receivedAt: d.clock.now().toISOString() };
  await d.recalls.putAck(ack);
  return ack;
}
