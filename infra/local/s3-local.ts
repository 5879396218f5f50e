import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';
import { freePort } from './ports.js';
import { patchS3rverWrites } from './s3rver-writes.js';

/** s3rver's built-in account: requests signed with these keys pass its signature check, presigned URLs included. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export type S3Local = { endpoint: string; port: number; stop(): Promise<void> };

/**
 * Start an S3 server on loopback that keeps objects under `directory`.
 * Path-style addressing follows from the IP-address endpoint, so clients need no `forcePathStyle` switch.
 */
export async function startS3Local(opts: { directory: string; port?: number }): Promise<S3Local> {
  mkdirSync(opts.directory, { recursive: true });
  const port = opts.port ?? (await freePort());
  patchS3rverWrites();
  const server = new S3rver({ address: '127.0.0.1', port, directory: opts.directory, silent: true, vhostBuckets: false });
  await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, port, stop: () => server.close() };
}
