import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, type NagPack, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { lotledgerApp } from './lotledger-app.js';

// One synth for the whole file, through CDK's validation pipeline with the pack registered, as infra/app.ts does.
const { app, stack } = lotledgerApp();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
let synthError: unknown;
try {
  app.synth();
} catch (e) {
  synthError = e;
}

type Finding = { rule: string; path: string; severity: string };
const findings = (pack: NagPack, scope: IConstruct): Finding[] =>
  pack
    .validateScope(scope)
    .violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '', severity: v.severity ?? 'error' })));

/** Every acknowledgement in the tree: where it was made, the rule id, the reason. */
const acknowledgements = stack.node
  .findAll()
  .flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason })),
      ),
  );

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged error or warning', () => {
    expect(findings(new AwsSolutionsChecks(), stack)).toEqual([]);
  });

  it('lets `cdk synth` through (the pack runs as a validation plugin there)', () => {
    expect(synthError).toBeUndefined();
  });

  it('has a reason for every acknowledgement, and each one still silences a real finding', () => {
    // Prepare: the pack with acknowledgements ignored, to see what each one hides
    const raw = new AwsSolutionsChecks();
    (raw as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    // Act
    const all = findings(raw, stack);
    // Assess
    const ours = acknowledgements.filter((a) => a.id.startsWith('AwsSolutions-'));
    expect(ours.length).toBeGreaterThan(0);
    for (const a of ours) {
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThan(30);
      expect(
        all.some((f) => f.rule === a.id && (f.path === a.path || f.path.startsWith(`${a.path}/`))),
        `${a.id} at ${a.path} acknowledges nothing`,
      ).toBe(true);
    }
  });
});

describe('HIPAA Security and NIST 800-53 rev 5 (a report, not a gate)', () => {
  it.each([
    ['HIPAA Security', new HIPAASecurityChecks()],
    ['NIST 800-53 rev 5', new NIST80053R5Checks()],
  ] as const)('%s: prints the findings per rule', (name, pack) => {
    const perRule = new Map<string, number>();
    for (const f of findings(pack, stack)) perRule.set(f.rule, (perRule.get(f.rule) ?? 0) + 1);
    const lines = [...perRule].sort(([a], [b]) => a.localeCompare(b)).map(([rule, n]) => `  ${String(n).padStart(3)}  ${rule}`);
    console.log(`${name}: ${lines.length} rules with findings\n${lines.join('\n')}`);
    expect(pack.readPackName).not.toBe('');
  });
});
