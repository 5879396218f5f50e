import type { Logger } from '@aws-lambda-powertools/logger';

/**
 * `d` with a logger of its own (a child of `d.logger`) and `log` writing to it. Each handler takes one, so the Lambda
 * context its lines carry is its own even where handlers share a process and run at once (the local server).
 * @example const own = withOwnLogger(d); own.logger.info('done') // carries this handler's function_name
 */
export function withOwnLogger<D extends { logger: Logger }>(d: D): D & { log: (msg: string, extra?: object) => void } {
  const logger = d.logger.createChild();
  return { ...d, logger, log: (msg: string, extra: object = {}) => logger.warn(msg, { ...extra }) };
}
