import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

// The rules `npm run deps` checks the code with; each case below cruises a small tree that breaks one on purpose.
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;
const nodeModules = fileURLToPath(new URL('../../node_modules', import.meta.url));

/** Write `files` into a fresh directory (with the project's node_modules), cruise it with the project's rules. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lotledger-layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await symlink(nodeModules, join(dir, 'node_modules'), 'dir');
    const roots = [...new Set(Object.keys(files).map((p) => p.split('/')[0] as string))];
    const r = await cruise(roots, { ...config.options, baseDir: dir, validate: true, ruleSet: { forbidden: config.forbidden ?? [] } });
    const result = r.output as ICruiseResult;
    return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.unresolvedTo ?? v.to}`).sort();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const leaf = 'export const x = 1;\n';

describe('layer rules', () => {
  it('let every allowed arrow through', async () => {
    // Prepare
    const files = {
      'lib/domain/ports.ts': "import { z } from 'zod';\nexport const Id = z.string();\nexport type Port = { get(): Promise<string> };\n",
      'lib/domain/use-case.ts': "import type { Port } from './ports.js';\nexport const run = (p: Port) => p.get();\n",
      'lib/table-schema.ts': "export const TABLE = { partitionKey: 'pk' } as const;\n",
      'lib/store/adapter.ts':
        "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nimport type { Port } from '../domain/ports.js';\nimport { TABLE } from '../table-schema.js';\nexport const a = [DynamoDBDocumentClient, TABLE] as unknown as Port;\n",
      'lib/notify/publisher.ts': "import { SNSClient } from '@aws-sdk/client-sns';\nexport const p = SNSClient;\n",
      'lib/exports/writer.ts': "import { run } from '../domain/use-case.js';\nexport const w = run;\n",
      'lib/http/http.ts': "import { Id } from '../domain/ports.js';\nexport const h = Id;\n",
      'functions/handler.ts':
        "import { Logger } from '@aws-lambda-powertools/logger';\nimport { run } from '../lib/domain/use-case.js';\nimport { h } from '../lib/http/http.js';\nimport { a } from '../lib/store/adapter.js';\nexport const f = [Logger, run, h, a];\n",
      'infra/stack.ts':
        "import { Stack } from 'aws-cdk-lib';\nimport { TABLE } from '../lib/table-schema.js';\nimport { Id } from '../lib/domain/ports.js';\nexport const s = [Stack, TABLE, Id];\n",
      'infra/local/stack.ts':
        "import { a } from '../../lib/store/adapter.js';\nimport { f } from '../../functions/handler.js';\nexport const l = [a, f];\n",
      'cli/main.ts':
        "import { SignatureV4 } from '@smithy/signature-v4';\nimport type { Port } from '../lib/domain/ports.js';\nexport const c: Port | typeof SignatureV4 = SignatureV4;\n",
      'test/support/fake.ts': "import { a } from '../../lib/store/adapter.js';\nexport const fake = a;\n",
      'test/unit/x.test.ts':
        "import { fake } from '../support/fake.js';\nimport { l } from '../../infra/local/stack.js';\nexport const t = [fake, l];\n",
    };
    // Act
    const found = await violations(files);
    // Assess
    expect(found).toEqual([]);
  });

  it('keep the AWS SDK, Smithy and Powertools out of lib/domain, type-only imports included', async () => {
    const found = await violations({
      'lib/domain/a.ts':
        "import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nimport { SignatureV4 } from '@smithy/signature-v4';\nimport type { Logger } from '@aws-lambda-powertools/logger';\nexport type A = [DynamoDBDocumentClient, Logger, typeof SignatureV4];\n",
    });
    expect(found).toEqual([
      'domain-imports-no-aws: lib/domain/a.ts -> @aws-lambda-powertools/logger',
      'domain-imports-no-aws: lib/domain/a.ts -> @aws-sdk/lib-dynamodb',
      'domain-imports-no-aws: lib/domain/a.ts -> @smithy/signature-v4',
    ]);
  });

  it('keep adapters, handlers, infra and the CLI out of lib/domain', async () => {
    const found = await violations({
      'lib/domain/a.ts': [
        "import { x as s } from '../store/s.js';",
        "import { x as n } from '../notify/n.js';",
        "import { x as e } from '../exports/e.js';",
        "import { x as h } from '../http/h.js';",
        "import { x as f } from '../../functions/f.js';",
        "import { x as i } from '../../infra/i.js';",
        "import type { x as c } from '../../cli/c.js';",
        'export const all = [s, n, e, h, f, i] as (typeof c)[];',
        '',
      ].join('\n'),
      'lib/store/s.ts': leaf,
      'lib/notify/n.ts': leaf,
      'lib/exports/e.ts': leaf,
      'lib/http/h.ts': leaf,
      'functions/f.ts': leaf,
      'infra/i.ts': leaf,
      'cli/c.ts': leaf,
    });
    expect(found).toEqual(
      ['../../cli/c.js', '../../functions/f.js', '../../infra/i.js', '../exports/e.js', '../http/h.js', '../notify/n.js', '../store/s.js'].map(
        (to) => `domain-imports-no-outer-layer: lib/domain/a.ts -> ${to}`,
      ),
    );
  });

  it('keep handlers out of the adapters', async () => {
    const imp = "import { x } from '../../functions/f.js';\nexport const y = x;\n";
    const found = await violations({ 'lib/store/s.ts': imp, 'lib/notify/n.ts': imp, 'lib/exports/e.ts': imp, 'functions/f.ts': leaf });
    expect(found).toEqual([
      'adapters-import-no-handlers: lib/exports/e.ts -> ../../functions/f.js',
      'adapters-import-no-handlers: lib/notify/n.ts -> ../../functions/f.js',
      'adapters-import-no-handlers: lib/store/s.ts -> ../../functions/f.js',
    ]);
  });

  it('keep the CLI on HTTP: no store, notify, exports or handler code', async () => {
    const found = await violations({
      'cli/main.ts': [
        "import { x as s } from '../lib/store/s.js';",
        "import { x as n } from '../lib/notify/n.js';",
        "import { x as e } from '../lib/exports/e.js';",
        "import { x as f } from '../functions/f.js';",
        'export const all = [s, n, e, f];',
        '',
      ].join('\n'),
      'lib/store/s.ts': leaf,
      'lib/notify/n.ts': leaf,
      'lib/exports/e.ts': leaf,
      'functions/f.ts': leaf,
    });
    expect(found).toEqual(
      ['../functions/f.js', '../lib/exports/e.js', '../lib/notify/n.js', '../lib/store/s.js'].map(
        (to) => `cli-speaks-http-only: cli/main.ts -> ${to}`,
      ),
    );
  });

  it('keep the console on HTTP: pure domain code and types only, and nothing imports the console', async () => {
    const found = await violations({
      'web/src/page.ts': [
        "import { x as d } from '../../lib/domain/d.js';",
        "import { x as s } from '../../lib/store/s.js';",
        "import { x as h } from '../../lib/http/h.js';",
        "import { x as i } from '../../infra/i.js';",
        'export const all = [d, s, h, i];',
        '',
      ].join('\n'),
      'lib/domain/d.ts': leaf,
      'lib/store/s.ts': leaf,
      'lib/http/h.ts': leaf,
      'infra/i.ts': leaf,
      'functions/f.ts': "import { all } from '../web/src/page.js';\nexport const y = all;\n",
    });
    expect(found).toEqual([
      'console-speaks-http-only: web/src/page.ts -> ../../infra/i.js',
      'console-speaks-http-only: web/src/page.ts -> ../../lib/http/h.js',
      'console-speaks-http-only: web/src/page.ts -> ../../lib/store/s.js',
      'nothing-imports-the-console: functions/f.ts -> ../web/src/page.js',
    ]);
  });

  it('keep store code out of the CDK stack, not out of infra/local', async () => {
    const found = await violations({
      'infra/stack.ts': "import { x } from '../lib/store/table.js';\nexport const y = x;\n",
      'infra/local/provision.ts': "import { x } from '../../lib/store/table.js';\nexport const y = x;\n",
      'lib/store/table.ts': leaf,
    });
    expect(found).toEqual(['infra-imports-no-adapters: infra/stack.ts -> ../lib/store/table.js']);
  });

  it('keep the table schema a leaf', async () => {
    const found = await violations({
      'lib/table-schema.ts': "import { x } from './domain/ids.js';\nexport const TABLE = { partitionKey: x };\n",
      'lib/domain/ids.ts': leaf,
    });
    expect(found).toEqual(['table-schema-is-a-leaf: lib/table-schema.ts -> ./domain/ids.js']);
  });

  it('keep test code out of everything but tests', async () => {
    const found = await violations({
      'lib/domain/a.ts': "import { x } from '../../test/support/fake.js';\nexport const y = x;\n",
      'infra/local/stack.ts': "import { x } from '../../test/support/fake.js';\nexport const y = x;\n",
      'test/support/fake.ts': leaf,
      'test/unit/a.test.ts': "import { x } from '../support/fake.js';\nexport const y = x;\n",
    });
    expect(found).toEqual([
      'nothing-imports-tests: infra/local/stack.ts -> ../../test/support/fake.js',
      'nothing-imports-tests: lib/domain/a.ts -> ../../test/support/fake.js',
    ]);
  });

  it('find an import cycle, also one closed by a type-only import', async () => {
    const found = await violations({
      'lib/domain/lots.ts':
        "import { checkpoint } from './checkpoints.js';\nexport type LotStore = { all(): string[] };\nexport const verify = checkpoint;\n",
      'lib/domain/checkpoints.ts': "import type { LotStore } from './lots.js';\nexport const checkpoint = (s: LotStore) => s.all();\n",
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^no-circular: lib\/domain\/(lots|checkpoints)\.ts -> \.\/(checkpoints|lots)\.js$/);
  });
});
