import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { LotledgerFunction } from '../../infra/lotledger-function.js';

// One real bundle (the stack and nag tests skip bundling): the local esbuild, no Docker.
const outdir = mkdtempSync(join(tmpdir(), 'lotledger-bundle-'));
const app = new App({ outdir });
new LotledgerFunction(new Stack(app, 'Bundle'), 'Health', { source: 'health' });
app.synth();
const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
const dir = join(outdir, assets[0] ?? 'missing');
const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the house function bundle', () => {
  it('is one ESM file with a source map', () => {
    expect(assets).toHaveLength(1);
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
  });

  it('defines require for the CommonJS dependencies, before anything else', () => {
    expect(code.startsWith("import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);")).toBe(true);
  });

  it('carries the pinned AWS SDK instead of importing the runtime’s copy', () => {
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(code).not.toMatch(/import\(\s*["']@aws-sdk\//);
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  });

  it('loads in Node and exports the handler', () => {
    const script = 'const m = await import(process.argv[1]); console.log(typeof m.handler);';
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(join(dir, 'index.mjs')).href], {
      env: { PATH: process.env.PATH, TABLE_NAME: 'bundle-test' },
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('function');
  });
});
