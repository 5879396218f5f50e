import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export type LocalProcess = { child: ChildProcess; url: string; output: () => string };

/**
 * `npm start` as a user runs it (see package.json), on a free port with its data in `dataDir`; resolves with the URL it
 * prints on its ready line, rejects if it exits first or prints none within `timeoutMs`.
 */
export function startLocal(dataDir: string, o: { args?: string[]; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<LocalProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'infra/local/start.ts', ...(o.args ?? [])], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOTLEDGER_DATA_DIR: dataDir, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timeoutMs = o.timeoutMs ?? 90_000;
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in ${timeoutMs / 1000} s:\n${out}`)), timeoutMs);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /ready at (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out}`));
    });
  });
}

/** Ctrl-C, as a user stops it; resolves with the exit code. */
export const stopLocal = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
