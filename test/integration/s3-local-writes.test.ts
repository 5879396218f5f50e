import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { freshBucket } from '../support/aws.js';

/**
 * The local S3 (s3rver, with infra/local/s3rver-writes.ts) is read-after-write consistent, as S3 is: an object
 * overwritten again and again at one key, with readers reading it meanwhile, always reads back whole, old or new.
 * Unpatched s3rver answered a PutObject before the file was written and truncated the old file first: readers saw
 * empty or cut-off objects (a checkpoint written twice at one key once read back as broken JSON, a 500).
 */
describe('local S3: a read during or right after an overwrite', () => {
  it('sees one whole version, never a part', async () => {
    const { s3, bucket } = await freshBucket('writes');
    const Key = 'checkpoints/one-key.json';
    // versions of different sizes, each one valid JSON only when whole
    const versions = [1, 300_000, 20, 2_000_000, 5].map((n, i) => JSON.stringify({ version: i, pad: 'x'.repeat(n) }));
    const put = (Body: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ContentType: 'application/json' }));
    const get = async () => (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body?.transformToString('utf8')) ?? '';
    await put(versions[0] as string);
    const seen: string[] = [];
    let writing = true;
    const readers = Array.from({ length: 3 }, async () => {
      while (writing) seen.push(await get());
    });
    for (let round = 0; round < 12; round++) {
      const body = versions[round % versions.length] as string;
      await put(body);
      // read after write: the answer to the PUT means the object is there
      expect(await get()).toBe(body);
    }
    writing = false;
    await Promise.all(readers);
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) expect(versions.includes(s), `a read of ${s.length} characters`).toBe(true);
  });
});
