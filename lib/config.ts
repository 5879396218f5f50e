import { z } from 'zod';
import { QA_DEFAULTS, type QaConfig } from './domain/quality.js';

/** A fraction (0.02) or a percentage (2%) between 0 and 1. */
const Rate = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?%?$/, 'must be a fraction like 0.02 or a percentage like 2%')
  .transform((s) => (s.endsWith('%') ? Number(s.slice(0, -1)) / 100 : Number(s)))
  .refine((n) => n >= 0 && n <= 1, 'must be between 0 and 1 (0% and 100%)');

const WholeNumber = z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number);

/**
 * Every environment key a lotledger function reads. TABLE_NAME is always set; each resource key is set (by the stack)
 * only on the functions that use that resource, so it is optional here and its adapter exists only when it is set.
 * The tuning keys have their defaults written here, and nowhere else.
 */
const Env = z.object({
  TABLE_NAME: z.string().min(1),
  EXPORT_BUCKET: z.string().min(1).optional(),
  INGEST_BUCKET: z.string().min(1).optional(),
  RECALL_TOPIC_ARN: z.string().startsWith('arn:').optional(),
  ALERTS_TOPIC_ARN: z.string().startsWith('arn:').optional(),
  EXPORT_QUEUE_URL: z.url().optional(),
  /** hours without an acknowledgement before a consignee gets a follow-up notice */
  RECALL_FOLLOW_UP_HOURS: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number of hours, 0 or more')
    .transform(Number)
    .default(24),
  /** an automatic QA hold above this share of units sold returned as defective */
  QA_DEFECT_RATE: Rate.default(QA_DEFAULTS.defectRate),
  /** ... and only with at least this many defect returns */
  /** the GS1 company prefix SSCCs are numbered under (4-12 digits); without it POST /labels/sscc answers 409 */
  GS1_COMPANY_PREFIX: z
    .string()
    .trim()
    .regex(/^\d{4,12}$/, 'must be a GS1 company prefix of 4-12 digits')
    .optional(),
  /** the SSCC extension digit, the packer's own choice */
  SSCC_EXTENSION_DIGIT: z.string().trim().regex(/^\d$/, 'must be one digit 0-9').default('0'),
  /** the GS1 Digital Link stem that QR labels point at (a resolver serving /01/...) */
  DIGITAL_LINK_BASE_URL: z.url('must be an http(s) URL').default('https://id.gs1.org'),
  QA_MIN_DEFECT_RETURNS: WholeNumber.refine((n) => n >= 1, 'must be 1 or more').default(QA_DEFAULTS.minDefectReturns),
});
export type Config = z.output<typeof Env>;
export type EnvKey = keyof Config;

/** The boot error: names every bad or missing key. */
export class ConfigError extends Error {
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`lotledger configuration is invalid: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

const parse = <S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> => {
  const r = schema.safeParse(env);
  if (r.success) return r.data;
  throw new ConfigError(r.error.issues.map((i) => ({ key: i.path.join('.'), message: i.message })));
};

/** Parse the environment once, at boot; a bad value fails naming its key, an absent tuning key takes its default.
 * @example loadConfig({ TABLE_NAME: 't' }).RECALL_FOLLOW_UP_HOURS // 24
 */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => parse(Env, env);

/** A resource key the caller cannot run without.
 * @example required(config, 'EXPORT_BUCKET') // throws ConfigError 'EXPORT_BUCKET: is required' when unset
 */
export function required<K extends EnvKey>(config: Pick<Config, K>, key: K): NonNullable<Config[K]> {
  const v = config[key];
  if (v === undefined) throw new ConfigError([{ key, message: 'is required' }]);
  return v as NonNullable<Config[K]>;
}

/** How often, at most, chain heads wait to be anchored in the Object-Lock bucket. Read by the stack and by `npm start`. */
const AnchorEnv = z.object({
  LOTLEDGER_ANCHOR_SECONDS: WholeNumber.refine((n) => n >= 1, 'must be 1 second or more').default(300),
});

/** The anchor interval in seconds; a bad value fails naming its key.
 * @example anchorSeconds({}) // 300
 */
export const anchorSeconds = (env: NodeJS.ProcessEnv = process.env): number => parse(AnchorEnv, env).LOTLEDGER_ANCHOR_SECONDS;

const Flag = z.enum(['', '0', '1', 'false', 'true'], { error: 'must be 1 (or true) to switch on' }).transform((v) => v === '1' || v === 'true');

/** What `npm start` reads: the local stack's own settings (the functions inside it read `Env`). */
const LocalEnv = z.object({
  PORT: WholeNumber.refine((n) => n <= 65535, 'must be a port number').default(3000),
  LOTLEDGER_DATA_DIR: z.string().min(1).default('.lotledger'),
  LOTLEDGER_DEMO: Flag.default(false),
  LOTLEDGER_VERBOSE: Flag.default(false),
  /** the handlers' Powertools log level locally */
  LOTLEDGER_LOG_LEVEL: z
    .string()
    .trim()
    .toUpperCase()
    .pipe(z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT']))
    .default('WARN'),
});
export type LocalConfig = z.output<typeof LocalEnv>;

/** Parse `npm start`'s settings; a bad value fails naming its key.
 * @example loadLocalConfig({}).PORT // 3000
 */
export const loadLocalConfig = (env: NodeJS.ProcessEnv = process.env): LocalConfig => parse(LocalEnv, env);

/** The QA defect-rate settings as the domain takes them.
 * @example qaConfig(loadConfig({ TABLE_NAME: 't', QA_DEFECT_RATE: '5%' })) // { defectRate: 0.05, minDefectReturns: 3 }
 */
export const qaConfig = (c: Pick<Config, 'QA_DEFECT_RATE' | 'QA_MIN_DEFECT_RETURNS'>): QaConfig => ({
  defectRate: c.QA_DEFECT_RATE,
  minDefectReturns: c.QA_MIN_DEFECT_RETURNS,
});
