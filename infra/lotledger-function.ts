import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type AccessTargets, accessPolicy, type EnvKey, environmentValue } from './access.js';
import { ESM_REQUIRE_BANNER } from './esm-banner.js';
import type { Access } from './routes.js';

const FUNCTIONS_DIR = fileURLToPath(new URL('../functions/', import.meta.url));

/** ESM output has no `require`; some dependencies still call it, so the bundle defines one. */

export type LotledgerFunctionProps = Omit<NodejsFunctionProps, 'entry' | 'role' | 'logGroup' | 'logRetention'> & {
  /** file name under functions/, without extension (a route's or job's `handler`) */
  readonly source: string;
  /** how long the function's own log group keeps events; default one year */
  readonly logRetention?: RetentionDays;
  /** the KMS key the function's log group is encrypted with (the stack's logs key) */
  readonly logsKey?: IKey;
};

/**
 * The house Lambda function: Node.js 24 on arm64, X-Ray tracing, an ESM bundle that includes the pinned AWS SDK
 * (so the cloud runs the versions the tests ran), its own log group with a retention, and its own role that may
 * write only to that log group. Everything else the role may do is added by the stack from the route's or job's
 * `Access` (infra/access.ts); nothing here grants data access.
 *
 * The role and the log group are created next to the function (`<id>Role`, `<id>Logs`) because they must exist
 * before it; the function never gets the `AWSLambdaBasicExecutionRole` managed policy, whose
 * `logs:CreateLogGroup` on `*` it does not need.
 */
export class LotledgerFunction extends NodejsFunction {
  readonly logs: LogGroup;
  private readonly ownRole: Role;

  constructor(scope: Construct, id: string, props: LotledgerFunctionProps) {
    const { source, logRetention, logsKey, bundling, environment, ...rest } = props;
    const logs = new LogGroup(scope, `${id}Logs`, {
      retention: logRetention ?? RetentionDays.ONE_YEAR,
      ...(logsKey ? { encryptionKey: logsKey } : {}),
      // The logs are the audit trail of what each function did: keep them when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `lotledger ${source}: least privilege from its Access in infra/routes.ts or infra/jobs.ts`,
    });
    logs.grantWrite(role);
    super(scope, id, {
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      memorySize: 1024,
      timeout: Duration.seconds(29),
      ...rest,
      entry: `${FUNCTIONS_DIR}${source}.ts`,
      handler: 'handler',
      role,
      logGroup: logs,
      environment: { POWERTOOLS_SERVICE_NAME: 'lotledger', NODE_OPTIONS: '--enable-source-maps', ...environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        sourceMap: true,
        sourcesContent: false,
        minify: true,
        // Bundle the SDK too: the runtime's built-in copy is whatever version Lambda ships that week.
        externalModules: [],
        ...bundling,
      },
    });
    this.logs = logs;
    this.ownRole = role;
    // X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions; Tracing.ACTIVE adds them.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray actions of active tracing use Resource *: X-Ray has no resource-level permissions (test/infra/stack.test.ts pins this).',
    });
  }

  /**
   * Give the function what its route or job declares: `TABLE_NAME` and each `env` key set to the resource it names,
   * and exactly the statements of its `Access` (infra/access.ts). The wildcards those statements carry on purpose
   * (object ARNs under one bucket, kms:GenerateDataKey* on one key) are acknowledged on this role only.
   */
  useAccess(access: Access, env: readonly EnvKey[], targets: AccessTargets): this {
    this.addEnvironment('TABLE_NAME', targets.table.table.tableName);
    for (const key of env) this.addEnvironment(key, environmentValue(key, targets));
    const policy = accessPolicy(access, targets);
    for (const s of policy.statements) this.addToRolePolicy(s);
    for (const f of policy.findings) Validations.of(this.ownRole).acknowledge(f);
    return this;
  }
}
