import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { LotledgerStack, type LotledgerStackProps } from '../../infra/lotledger-stack.js';

/** The context `npx cdk synth` gets from cdk.json, so the tests check the template that is deployed. */
export const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> })
  .context;

/**
 * The Lotledger stack as infra/app.ts builds it, without bundling the functions: asset hashes are all that bundling
 * changes in the template, and test/infra/bundle.test.ts bundles one function for real.
 */
export function lotledgerApp(context: Record<string, unknown> = {}, props: LotledgerStackProps = {}) {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, [BUNDLING_STACKS]: [], ...context } });
  const stack = new LotledgerStack(app, 'Lotledger', props);
  return { app, stack };
}
