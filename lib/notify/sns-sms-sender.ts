import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NoticeSender, OutgoingNotice, SendOutcome } from '../domain/notice-channels.js';

/** E.164 from what a site record holds (`+1 555 0199` -> `+15550199`); undefined when it cannot be one. */
export const e164 = (phone: string) => {
  const digits = phone.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(digits) ? digits : undefined;
};

/** The `sms` channel: SNS Publish to a phone number, transactional. Errors name no number (they may be logged). */
export class SnsSmsSender implements NoticeSender {
  constructor(private readonly sns: SNSClient) {}

  async send(batch: OutgoingNotice[]): Promise<SendOutcome> {
    const out: SendOutcome = { ok: [], failed: [] };
    for (const n of batch) {
      const to = n.to ? e164(n.to) : undefined;
      if (!to || !n.words) {
        out.failed.push({ id: n.id, message: 'no phone number in E.164 form', permanent: true });
        continue;
      }
      try {
        const r = await this.sns.send(
          new PublishCommand({
            PhoneNumber: to,
            Message: n.words.sms,
            MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
          }),
        );
        out.ok.push({ id: n.id, messageId: r.MessageId ?? 'sms' });
      } catch (e) {
        const name = (e as Error).name;
        out.failed.push({ id: n.id, message: `${name}: SNS refused the text`, permanent: name === 'InvalidParameterException' });
      }
    }
    return out;
  }
}
