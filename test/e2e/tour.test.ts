import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, stopLocal } from '../support/local-process.js';

/**
 * The README's Tour, run as written against a fresh demo stack, so the README cannot go stale: every command between
 * the tour markers runs in bash, in order, and its output is checked against what the README promises.
 */
const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const tourBlock = /<!-- tour:start -->([\s\S]*?)<!-- tour:end -->/.exec(readme)?.[1] ?? '';
/** Commands: lines of the tour's sh blocks that are not comments or the `npm start` line the reader runs elsewhere. */
const commands = [...tourBlock.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => (m[1] ?? '').split('\n'))
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#') && !l.startsWith('npm '));

/** What each command must show (by a fragment of the command line), beyond exiting as expected. */
const EXPECT: { match: string; exit?: number; output: RegExp[] }[] = [
  { match: 'ingest examples/receipts.csv', exit: 1, output: [/5 records, 4 accepted/, /line 6 tour-rcv-005: quantity: only \d+ on hand at dc-east/] },
  { match: 'lotledger lot ', output: [/Lot RMN-003/, /dc-east/, /ledger: \d+ entries/] },
  { match: 'lotledger serial ', output: [/Serial X200-1000/, /receive/, /transfer/] },
  { match: 'lotledger trace ', output: [/Forward trace: \d+ lots/, /KIT-\d{3}/, /store-10\d/] },
  { match: '--mock', output: [/Mock recall/, /notices: \d+ would be sent/] },
  { match: 'RECALL=$(', output: [] },
  { match: "curl -s 'http://127.0.0.1:3000/_local/notifications", output: [/recall\.notice/] },
  { match: 'LINK=$(', output: [] },
  { match: 'curl -s "$LINK"', output: [/"title":"URGENT: FOOD RECALL"/, /"kind":"customer"/] },
  { match: 'curl -s -X POST "$LINK"', output: [/"via":"link"/, /"quantityRemoved":1/] },
  { match: 'recall ack', output: [/acknowledged/] },
  { match: 'recall report', output: [/consignees notified \d+ · responded 2/] },
  { match: 'expiry check', exit: 1, output: [/expir/i] },
  { match: 'lotledger pick ', output: [/KIT-\d{3}/] },
  { match: 'export fsma204 ', output: [/sha256/i] },
  { match: 'export fsma204-xlsx', output: [/sha256/i] },
];

const dataDir = mkdtempSync(join(tmpdir(), 'lotledger-tour-'));
const work = mkdtempSync(join(tmpdir(), 'lotledger-tour-work-'));
let child: ChildProcess;
let url = '';

beforeAll(async () => {
  ({ child, url } = await startLocal(dataDir, { args: ['--demo'], env: { POWERTOOLS_LOG_LEVEL: 'WARN' }, timeoutMs: 180_000 }));
}, 240_000);

afterAll(async () => {
  if (child && child.exitCode === null) await stopLocal(child);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('the README tour', () => {
  it('has the ten steps the README promises', () => {
    expect(commands.length).toBeGreaterThanOrEqual(10);
    for (const e of EXPECT)
      expect(
        commands.some((c) => c.includes(e.match)),
        e.match,
      ).toBe(true);
  });

  it('runs every command as written, in order, with the output described', () => {
    // One bash session, so RECALL=... carries to the commands after it; npx lotledger resolves in the repo.
    const script = commands
      .map((c, i) => {
        const line = c.replaceAll('http://127.0.0.1:3000', url).replaceAll(' -o fsma204', ` -o ${work}/fsma204`);
        return `echo "@@step ${i}"; { ${line}
} 2>&1; echo "@@exit $?"`;
      })
      .join('\n');
    const out = execFileSync('bash', ['-c', `cd ${JSON.stringify(root)}; ${script}`], {
      env: { ...process.env, LOTLEDGER_API_URL: url, NO_COLOR: '1', POWERTOOLS_LOG_LEVEL: 'WARN' },
      encoding: 'utf8',
      timeout: 380_000,
    });
    const steps = out.split('@@step ').slice(1);
    expect(steps).toHaveLength(commands.length);
    for (const [i, step] of steps.entries()) {
      const command = commands[i] as string;
      const exit = Number(/@@exit (\d+)/.exec(step)?.[1]);
      const e = EXPECT.find((x) => command.includes(x.match));
      expect(exit, `${command}\n${step}`).toBe(e?.exit ?? 0);
      for (const re of e?.output ?? []) expect(step, command).toMatch(re);
    }
    for (const f of ['fsma204.csv', 'fsma204.xlsx']) expect(existsSync(join(work, f)), f).toBe(true);
    expect(readFileSync(join(work, 'fsma204.csv'), 'utf8').split('\n')[0]).toMatch(
      /^\uFEFFCritical Tracking Event,Event ID,Event Time,Traceability Lot Code/,
    );
  }, 400_000);
});
