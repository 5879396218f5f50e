import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { NoticeSender, OutgoingNotice, SendOutcome } from '../domain/notice-channels.js';

/** SES refuses these for good: the address or the message, not the moment. */
const PERMANENT = new Set([
  'BadRequestException',
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'NotFoundException',
  'AccountSuspendedException',
]);

/** base64url of the notice's recall, site and follow-up: an SES tag value takes only [A-Za-z0-9_-]. */
export const noticeTag = (recallId: string, siteId: string, followUp: number) =>
  Buffer.from(JSON.stringify([recallId, siteId, followUp])).toString('base64url');

/** The notice a tag names (SES events carry the tags back). */
export function fromNoticeTag(tag: string): { recallId: string; siteId: string; followUp: number } | undefined {
  try {
    const v = JSON.parse(Buffer.from(tag, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && Number.isInteger(v[2]))
      return { recallId: v[0], siteId: v[1], followUp: v[2] as number };
  } catch {
    // not one of ours
  }
  return undefined;
}

/**
 * The `email` channel: SES v2 SendEmail, one recipient a message, plain text and HTML, tagged with the notice so the
 * configuration set's bounce, complaint and delivery events find it. Errors name no address (they may be logged).
 */
export class SesEmailSender implements NoticeSender {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: () => string,
    private readonly configurationSet?: string,
  ) {}

  async send(batch: OutgoingNotice[]): Promise<SendOutcome> {
    const out: SendOutcome = { ok: [], failed: [] };
    for (const n of batch) {
      if (!n.to || !n.words) {
        out.failed.push({ id: n.id, message: 'no email address', permanent: true });
        continue;
      }
      try {
        const r = await this.ses.send(
          new SendEmailCommand({
            FromEmailAddress: this.from(),
            Destination: { ToAddresses: [n.to] },
            Content: {
              Simple: {
                Subject: { Data: n.words.subject, Charset: 'UTF-8' },
                Body: { Text: { Data: n.words.text, Charset: 'UTF-8' }, Html: { Data: n.words.html, Charset: 'UTF-8' } },
              },
            },
            EmailTags: [{ Name: 'notice', Value: noticeTag(n.message.recallId, n.message.recipient.siteId, n.message.followUp ?? 0) }],
            ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
          }),
        );
        out.ok.push({ id: n.id, messageId: r.MessageId ?? 'ses' });
      } catch (e) {
        const name = (e as Error).name;
        out.failed.push({ id: n.id, message: `${name}: SES refused the email`, permanent: PERMANENT.has(name) });
      }
    }
    return out;
  }
}
