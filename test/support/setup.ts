// Registers the aws-sdk-client-mock matchers (toHaveReceivedCommandWith, ...) and their TypeScript declarations.
import 'aws-sdk-client-mock-vitest/extend';

// A handler module builds its Lambda `handler` from deps() when it is imported, as in the cloud, so importing one needs
// a valid configuration. Tests build their own Deps with makeDeps and call the make* factories; these settings and the
// clients deps() builds over them are never used.
Object.assign(process.env, {
  TABLE_NAME: process.env.TABLE_NAME ?? 'lotledger-test-unused',
  EXPORT_BUCKET: process.env.EXPORT_BUCKET ?? 'lotledger-test-unused',
  INGEST_BUCKET: process.env.INGEST_BUCKET ?? 'lotledger-test-unused',
  RECALL_TOPIC_ARN: process.env.RECALL_TOPIC_ARN ?? 'arn:aws:sns:us-east-1:000000000000:lotledger-test-unused',
});
