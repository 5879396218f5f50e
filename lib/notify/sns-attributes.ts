import type { MessageAttributeValue } from '@aws-sdk/client-sns';

/** String message attributes, the type SNS filter policies match exactly. */
export const stringAttributes = (attributes: Record<string, string>): Record<string, MessageAttributeValue> =>
  Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
