import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LotledgerStack } from './lotledger-stack.js';

/**
 * `npx cdk synth` / `npx cdk deploy` (cdk.json runs this with tsx). Environment-agnostic, so synth needs no AWS
 * credentials. cdk-nag's AwsSolutions pack validates the app during synthesis: an unacknowledged error stops it.
 */
const app = new App();
new LotledgerStack(app, 'Lotledger', {
  description: 'lotledger: lot and serial traceability (table, buckets, topics, HTTP API, jobs)',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
