import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../lib/config.js';
import { AppError } from '../lib/domain/errors.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { type Deps, deps, logger } from './deps.js';

/** GET /health: proves the table answers, and says which endpoints the SDK was pointed at (null = the AWS default). */
export const makeHealth = (getDeps: () => Pick<Deps, 'doc' | 'tableName' | 'logger'>, env: NodeJS.ProcessEnv = process.env) =>
  httpHandler(
    getDeps,
    async (d) => {
      const { EXPORT_BUCKET } = loadConfig(['EXPORT_BUCKET'], env);
      try {
        await d.doc.send(new GetCommand({ TableName: d.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
      } catch (cause) {
        throw new AppError('busy', 'The table does not answer yet', [], { cause });
      }
      return json(200, {
        ok: true,
        tableName: d.tableName,
        exportBucket: EXPORT_BUCKET,
        endpoints: {
          dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL ?? null,
          s3: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? null,
          sns: env.AWS_ENDPOINT_URL_SNS ?? env.AWS_ENDPOINT_URL ?? null,
        },
      });
    },
    logger,
  );
export const handler = makeHealth(deps);
