import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FileStore } from '../domain/ingest-file.js';

const isMissing = (e: unknown) =>
  e instanceof NoSuchKey ||
  (e as { name?: string }).name === 'NoSuchKey' ||
  (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/** Batch files and their reports in the ingest bucket. */
export class S3FileStore implements FileStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async read(key: string) {
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { text: (await r.Body?.transformToString('utf8')) ?? '', etag: r.ETag ?? '' };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async reportEtag(key: string) {
    const r = await this.read(key);
    if (!r) return undefined;
    try {
      return (JSON.parse(r.text) as { source?: { etag?: string } }).source?.etag;
    } catch {
      return undefined;
    }
  }

  async writeReport(key: string, body: string) {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' }));
  }
}
