import type { APIGatewayProxyEventV2 } from 'aws-lambda';

type IamIdentity = { userArn?: string; callerId?: string; userId?: string };

/**
 * Who asked: the IAM principal behind API Gateway's IAM auth, else `local` (the embedded stack has no auth). One rule
 * for every route that records its caller (recalls, exports) and scopes an Idempotency-Key to it.
 * @example callerOf(event) // 'arn:aws:sts::123456789012:assumed-role/compliance/ana' in the cloud, 'local' on npm start
 */
export const callerOf = (event: APIGatewayProxyEventV2): string => {
  const iam = (event.requestContext as { authorizer?: { iam?: IamIdentity } }).authorizer?.iam;
  return iam?.userArn ?? iam?.callerId ?? iam?.userId ?? 'local';
};
