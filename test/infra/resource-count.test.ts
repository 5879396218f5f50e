import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { lotledgerApp } from './lotledger-app.js';

/** CloudFormation refuses a stack of more than 500 resources (README, "What is not built yet"). */
const CLOUDFORMATION_MAX_RESOURCES = 500;

describe('stack size', () => {
  it('stays under CloudFormation’s 500 resources a stack', { timeout: 180_000 }, () => {
    const { stack } = lotledgerApp();
    const count = Object.keys(Template.fromStack(stack).toJSON().Resources as Record<string, unknown>).length;
    console.log(`Lotledger stack: ${count} of ${CLOUDFORMATION_MAX_RESOURCES} resources`);
    expect(count).toBeLessThan(CLOUDFORMATION_MAX_RESOURCES);
  });
});
