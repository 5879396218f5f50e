import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureConsoleBuilt } from '../../infra/local/console.js';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { startS3Local } from '../../infra/local/s3-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ddbEndpoint: string;
    s3Endpoint: string;
  }
}

/** One DynamoDB Local (in memory) and one S3 server for the whole run; each suite makes its own table and buckets. */
export default async function setup(project: TestProject) {
  const s3Dir = mkdtempSync(join(tmpdir(), 'lotledger-test-s3-'));
  // The console is built once here (when stale), not by each test's `npm start` at the same time on a fresh checkout.
  const [ddb, s3] = await Promise.all([startDynamoDbLocal(), startS3Local({ directory: s3Dir }), ensureConsoleBuilt()]);
  project.provide('ddbEndpoint', ddb.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  return async () => {
    await Promise.all([ddb.stop(), s3.stop()]);
    rmSync(s3Dir, { recursive: true, force: true });
  };
}
