// s3rver ships no types; this is the part of its API the local stack uses.
declare module 's3rver' {
  type Options = { address?: string; port?: number; directory?: string; silent?: boolean; vhostBuckets?: boolean; resetOnClose?: boolean };
  export default class S3rver {
    constructor(opts: Options);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
