import { z } from 'zod';

/** Every environment key any lotledger function reads. Each function declares the subset it needs. */
const Env = z.object({
  TABLE_NAME: z.string().min(1),
  EXPORT_BUCKET: z.string().min(1),
  INGEST_BUCKET: z.string().min(1),
  RECALL_TOPIC_ARN: z.string().startsWith('arn:'),
  ALERTS_TOPIC_ARN: z.string().startsWith('arn:'),
  EXPORT_QUEUE_URL: z.string().url(),
});
export type Env = z.infer<typeof Env>;
export type EnvKey = keyof Env;

/** Parse the keys a function needs, once; boot fails naming every missing or bad key.
 * @example loadConfig(['TABLE_NAME']).TABLE_NAME
 */
export function loadConfig<K extends EnvKey>(needed: readonly K[], env: NodeJS.ProcessEnv = process.env): Pick<Env, K> {
  const mask = Object.fromEntries(needed.map((k) => [k, true])) as Record<K, true>;
  const r = Env.pick(mask as never).safeParse(env);
  if (!r.success) {
    const bad = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`lotledger configuration is invalid: ${bad}`);
  }
  return r.data as Pick<Env, K>;
}
