import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The part of s3rver's object model and file store (3.7.1) the fix below touches. */
type S3rverObject = { bucket: string; key: string; content: Buffer | Readable; metadata: Record<string, string> };
type Range = { start: number; end: number };
type GetOptions = { start?: number; end?: number } | undefined;
type FilesystemStore = {
  getObject(bucket: string, key: string, options: GetOptions): Promise<unknown>;
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
};

let patched = false;

/**
 * Make s3rver's PutObject answer only once the object is on disk, and replace an object atomically.
 *
 * s3rver 3.7.1 resolves `putObject` as soon as it has handed the bytes to a write stream (`end(buffer)`, or the
 * checksum transform's `finish`), not when the file is written; its GET reads the file's size and bytes as they are.
 * So a GET right after a PUT could read an empty or cut-off object, and an overwrite truncates the old file first, so
 * a GET during it saw half of neither: a checkpoint written twice at one key read back as broken JSON (a 500), and an
 * export downloaded as soon as it was `done` could come back short. Real S3 is read-after-write consistent.
 *
 * The replacement writes to a temporary file beside the object, waits until the file is closed, writes the metadata,
 * then renames the file into place. A GET opens the file first and takes the size from what it opened (s3rver took it
 * from the path, then opened the path again, so a rename in between answered one version's length with another's
 * bytes): a reader sees the old object or the new one, whole.
 */
export function patchS3rverWrites(): void {
  if (patched) return;
  const require = createRequire(import.meta.url);
  const Store = require('s3rver/lib/stores/filesystem.js') as { prototype: FilesystemStore };
  const S3Object = require('s3rver/lib/models/object.js') as new (
    bucket: string,
    key: string,
    content: Readable | null,
    metadata: Record<string, unknown>,
  ) => { range?: Range };
  Store.prototype.putObject = async function putObject(this: FilesystemStore, object: S3rverObject) {
    const target = this.getResourcePath(object.bucket, object.key, 'object');
    // not ending in `._S3rver_object`, so listings never show it
    const temporary = `${target}.${randomBytes(6).toString('hex')}.partial`;
    await mkdir(dirname(target), { recursive: true });
    const md5 = createHash('md5');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(source, count, createWriteStream(temporary));
      const digest = md5.digest('hex');
      await this.putMetadata(object.bucket, object.key, object.metadata, digest);
      await rename(temporary, target);
      return { size, md5: digest };
    } catch (e) {
      await rm(temporary, { force: true });
      throw e;
    }
  };
  Store.prototype.getObject = async function getObject(this: FilesystemStore, bucket: string, key: string, options: GetOptions) {
    const path = this.getResourcePath(bucket, key, 'object');
    let file: Awaited<ReturnType<typeof open>>;
    try {
      file = await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    try {
      const stat = await file.stat();
      const stored = await readFile(this.getResourcePath(bucket, key, 'metadata.json'), 'utf8').then(
        (t) => JSON.parse(t) as Record<string, unknown>,
        () => ({}),
      );
      const md5 = await readFile(`${path}.md5`, 'utf8').catch(() => '');
      const metadata = { ...stored, etag: JSON.stringify(md5), 'last-modified': stat.mtime.toUTCString(), 'content-length': stat.size };
      const lastByte = Math.max(0, stat.size - 1);
      const ranged = options !== undefined && (options.start !== undefined || options.end !== undefined);
      const range = { start: options?.start ?? 0, end: Math.min(options?.end ?? Number.POSITIVE_INFINITY, lastByte) };
      if (range.start < 0 || range.end < range.start) {
        await file.close();
        const object = new S3Object(bucket, key, null, metadata);
        if (ranged) object.range = range;
        return object;
      }
      const object = new S3Object(bucket, key, file.createReadStream({ ...range, autoClose: true }), metadata);
      if (ranged) object.range = range;
      return object;
    } catch (e) {
      await file.close();
      throw e;
    }
  };
  patched = true;
}
