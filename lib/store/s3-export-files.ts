import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ANCHOR_PREFIX, type Anchor, type AnchorStore } from '../domain/anchors.js';
import type { Checkpoint, CheckpointStore } from '../domain/checkpoints.js';
import type { ExportFiles } from '../domain/exports.js';

const isMissing = (e: unknown) =>
  e instanceof NoSuchKey ||
  (e as { name?: string }).name === 'NoSuchKey' ||
  (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/** A file being streamed into the bucket; `end` resolves with its size and our own SHA-256 of every byte. */
export type StreamingObject = {
  write(chunk: string | Buffer): Promise<void>;
  end(): Promise<{ bytes: number; sha256: string }>;
  abort(): Promise<void>;
};

/** Multipart part size: memory held by one upload is about partSize × (queueSize + 1). */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;
/** Small writes are gathered into chunks of this size before they go to the upload stream. */
const CHUNK = 256 * 1024;

/**
 * The export bucket (Object Lock in the cloud). Writes are PutObject-only: single puts and multipart uploads
 * (CreateMultipartUpload / UploadPart / CompleteMultipartUpload are all authorised by s3:PutObject), each with a
 * SHA-256 checksum S3 verifies: `ChecksumAlgorithm: 'SHA256'` makes the SDK hash every part and send it as
 * `x-amz-checksum-sha256` (Object Lock buckets require a checksum on every write). s3rver accepts these headers and
 * ignores them, so the same code runs locally; parts are buffers, so the SDK never uses aws-chunked encoding.
 * Our own SHA-256 of the whole file is computed while streaming (S3's multipart checksum is a checksum of part checksums).
 */
export class S3ExportFiles implements ExportFiles, CheckpointStore, AnchorStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** A presigned GET of one object, at most 15 minutes (the caller passes the lifetime). */
  presignGet(key: string, seconds: number, filename: string): Promise<string> {
    const cmd = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: `attachment; filename="${filename.replace(/["\\]/g, '_')}"`,
    });
    return getSignedUrl(this.s3, cmd, { expiresIn: Math.min(seconds, 900) });
  }

  async readJson<T>(key: string): Promise<T | undefined> {
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return JSON.parse((await r.Body?.transformToString('utf8')) ?? 'null') as T;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  /** PutObject of a JSON document with its SHA-256 checksum. */
  async putJson(key: string, value: unknown): Promise<{ sha256: string }> {
    const body = Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    const digest = createHash('sha256').update(body).digest();
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json', ChecksumSHA256: digest.toString('base64') }),
    );
    return { sha256: digest.toString('hex') };
  }

  /** Stream an object of unknown length into the bucket with backpressure: `write` waits while the upload catches up. */
  open(key: string, contentType: string): StreamingObject {
    const body = new PassThrough({ highWaterMark: CHUNK });
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ChecksumAlgorithm: 'SHA256' },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    const done = upload.done();
    let failure: unknown;
    done.catch((e: unknown) => {
      failure = e;
      body.destroy(e as Error);
    });
    const hash = createHash('sha256');
    let bytes = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const push = async () => {
      if (pendingBytes === 0) return;
      const buf = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      if (failure) throw failure;
      if (!body.write(buf)) await once(body, 'drain');
    };
    return {
      write: async (chunk) => {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        hash.update(buf);
        bytes += buf.length;
        pending.push(buf);
        pendingBytes += buf.length;
        if (pendingBytes >= CHUNK) await push();
      },
      end: async () => {
        await push();
        body.end();
        await done;
        return { bytes, sha256: hash.digest('hex') };
      },
      abort: async () => {
        await upload.abort().catch(() => undefined);
        body.destroy();
        await done.catch(() => undefined);
      },
    };
  }

  /** The newest checkpoint: keys are `checkpoints/{iso}.json`, listed in key (= time) order. */
  async latest(): Promise<{ key: string; checkpoint: Checkpoint } | undefined> {
    let last: string | undefined;
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: 'checkpoints/', ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key?.endsWith('.json') && (!last || o.Key > last)) last = o.Key;
      token = page.NextContinuationToken;
    } while (token);
    if (!last) return undefined;
    const checkpoint = await this.readJson<Checkpoint>(last);
    return checkpoint ? { key: last, checkpoint } : undefined;
  }

  async write(key: string, checkpoint: Checkpoint): Promise<void> {
    await this.putJson(key, checkpoint);
  }

  /** Anchor keys after `startAfter`, in key (= time) order: S3 lists from there, so the read stays small. */
  async anchorKeys(startAfter?: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: ANCHOR_PREFIX,
          ...(token ? { ContinuationToken: token } : startAfter ? { StartAfter: startAfter } : {}),
        }),
      );
      for (const o of page.Contents ?? []) if (o.Key?.endsWith('.json')) out.push(o.Key);
      token = page.NextContinuationToken;
    } while (token);
    return out.sort();
  }

  readAnchor(key: string): Promise<Anchor | undefined> {
    return this.readJson<Anchor>(key);
  }

  async writeAnchor(key: string, anchor: Anchor): Promise<void> {
    await this.putJson(key, anchor);
  }
}
