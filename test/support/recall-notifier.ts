import type { Deps } from '../../functions/deps.js';
import type { NoticeSender, OutgoingNotice } from '../../lib/domain/notice-channels.js';
import type { OutboxDeps } from '../../lib/domain/notice-outbox.js';
import type { ShardQueue } from '../../lib/domain/recall.js';
import type { FanoutDeps } from '../../lib/domain/recall-fanout.js';

/** A channel stand-in that records what it was handed and can fail whole calls or single notices (by noticeId) on demand. */
export class FakeChannel implements NoticeSender {
  delivered: { noticeId: string; to?: string; attributes: Record<string, string>; body: Record<string, unknown>; words?: OutgoingNotice['words'] }[] =
    [];
  failCalls = 0;
  failEntries = new Set<string>();
  /** noticeIds refused for good (an address SES rejects) */
  rejectEntries = new Set<string>();
  async send(entries: OutgoingNotice[]) {
    if (this.failCalls > 0) {
      this.failCalls--;
      throw Object.assign(new Error('Service Unavailable'), { name: 'InternalErrorException' });
    }
    const ok: { id: string; messageId: string }[] = [];
    const failed: { id: string; message: string; permanent?: boolean }[] = [];
    for (const e of entries) {
      const body = JSON.parse(JSON.stringify(e.message)) as { noticeId: string }; // as it travels: JSON
      if (this.rejectEntries.has(body.noticeId)) {
        failed.push({ id: e.id, message: 'MessageRejected', permanent: true });
        continue;
      }
      if (this.failEntries.has(body.noticeId)) {
        this.failEntries.delete(body.noticeId);
        failed.push({ id: e.id, message: 'InternalError: try again' });
        continue;
      }
      this.delivered.push({
        noticeId: body.noticeId,
        ...(e.to ? { to: e.to } : {}),
        attributes: e.attributes,
        body,
        ...(e.words ? { words: e.words } : {}),
      });
      ok.push({ id: e.id, messageId: `m-${this.delivered.length}` });
    }
    return { ok, failed };
  }
  count = (noticeId: string) => this.delivered.filter((x) => x.noticeId === noticeId).length;
}

/** The notifier queue in memory: what POST /recalls queued, taken by `drain`. */
export class MemoryShardQueue implements ShardQueue {
  messages: { recallId: string; shard: number }[] = [];
  refuse = false;
  async send(shards: { recallId: string; shard: number }[]) {
    if (this.refuse) throw new Error('queue unavailable');
    this.messages.push(...shards);
  }
  take() {
    const m = this.messages;
    this.messages = [];
    return m;
  }
}

export const FIRM = { name: 'Example Foods Inc.', phone: '+1 555 0100', email: 'recalls@example.com' };
export const CONSOLE = 'https://console.example.test';

/** The notifier's deps over a test's Deps, with fake channels and tokens that count up. */
export function notifierDeps(d: Deps) {
  const channels = { sns: new FakeChannel(), email: new FakeChannel(), sms: new FakeChannel() };
  let n = 0;
  const send: FanoutDeps & OutboxDeps = {
    recalls: d.recalls,
    master: d.master,
    senders: channels,
    contacts: d.contacts,
    clock: d.clock,
    firm: FIRM,
    consoleUrl: CONSOLE,
    newAckToken: () => `tok${String(++n).padStart(40, '0')}`,
  };
  return { send, channels };
}
