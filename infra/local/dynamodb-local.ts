import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, waitFor } from './ports.js';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Where the `amplify-dynamodb-simulator` package keeps DynamoDBLocal.jar and its native libraries. */
export function dynamoDbLocalJar(): { jar: string; lib: string } {
  const req = createRequire(import.meta.url);
  const root = dirname(req.resolve('amplify-dynamodb-simulator/package.json'));
  return { jar: join(root, 'emulator', 'DynamoDBLocal.jar'), lib: join(root, 'emulator', 'DynamoDBLocal_lib') };
}

/** Fail early, in one sentence, when Java is missing: DynamoDB Local is a Java program. */
export function assertJava(): void {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      'Java 17 or newer is needed to run DynamoDB Local, and `java` was not found on PATH. ' +
        'Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and try again.',
    );
  }
}

const PID_FILE = 'lotledger-dynamodb-local.pid';

/**
 * A DynamoDB Local left running on this data directory by an `npm start` that was killed (SIGKILL leaves its Java child
 * behind, holding the database): stop it, by the process id it recorded, before starting another on the same files.
 * Only a process whose command line is DynamoDB Local on this very directory is stopped.
 */
async function stopLeftover(dbPath: string): Promise<void> {
  const file = join(dbPath, PID_FILE);
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').trim());
  rmSync(file, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return;
  const args = () => spawnSync('ps', ['-p', String(pid), '-o', 'args='], { encoding: 'utf8' }).stdout ?? '';
  if (!(args().includes('DynamoDBLocal.jar') && args().includes(dbPath))) return;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && args().includes('DynamoDBLocal.jar'); i++) await new Promise((r) => setTimeout(r, 100));
}

export type DynamoDbLocal = { endpoint: string; port: number; stop(): Promise<void> };

/**
 * Start DynamoDB Local from the npm-shipped jar. `dbPath` keeps data across restarts; without it the data lives in memory.
 * @example const ddb = await startDynamoDbLocal({ dbPath: '.lotledger/dynamodb' }); // ddb.endpoint = 'http://127.0.0.1:PORT'
 */
export async function startDynamoDbLocal(opts: { dbPath?: string; port?: number } = {}): Promise<DynamoDbLocal> {
  assertJava();
  const { jar, lib } = dynamoDbLocalJar();
  const port = opts.port ?? (await freePort());
  const args = [`-Djava.library.path=${lib}`, '-Xms64m', '-Xmx1g', '-jar', jar, '-port', String(port), '-disableTelemetry'];
  if (opts.dbPath) {
    mkdirSync(opts.dbPath, { recursive: true });
    await stopLeftover(opts.dbPath);
    // -sharedDb: one database file whatever region or credentials a client uses.
    args.push('-dbPath', opts.dbPath, '-sharedDb');
  } else {
    args.push('-inMemory', '-sharedDb');
  }
  const child: ChildProcess = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dirname(jar) });
  if (opts.dbPath && child.pid) writeFileSync(join(opts.dbPath, PID_FILE), String(child.pid));
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    await waitFor(async () => {
      if (exited !== undefined) throw new Error(`DynamoDB Local exited with code ${exited}: ${output}`);
      await client.send(new ListTablesCommand({ Limit: 1 }));
    }, 'DynamoDB Local');
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (opts.dbPath) rmSync(join(opts.dbPath, PID_FILE), { force: true });
        if (exited !== undefined) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
