import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../lib/domain/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { type Deps, deps, need } from './deps.js';

/**
 * GET /health: proves the table answers, and says which endpoints the SDK was pointed at (null = the AWS default).
 * EXPORT_BUCKET is checked per request, so a function without it still starts and answers why it is unhealthy.
 */
export const makeHealth = (d: Pick<Deps, 'doc' | 'tableName' | 'exportFiles' | 'logger'>, env: NodeJS.ProcessEnv = process.env) =>
  httpHandler(d, async (d) => {
    const { exportFiles } = need(d, 'exportFiles');
    try {
      await d.doc.send(new GetCommand({ TableName: d.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
    } catch (cause) {
      throw new AppError('busy', 'The table does not answer yet', [], { cause });
    }
    return json(200, {
      ok: true,
      tableName: d.tableName,
      exportBucket: exportFiles.bucket,
      endpoints: {
        dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL ?? null,
        s3: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? null,
        sns: env.AWS_ENDPOINT_URL_SNS ?? env.AWS_ENDPOINT_URL ?? null,
        ses: env.AWS_ENDPOINT_URL_SESV2 ?? env.AWS_ENDPOINT_URL ?? null,
      },
    });
  });
export const handler = makeHealth(deps());
