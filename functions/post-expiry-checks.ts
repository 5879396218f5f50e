import { z } from 'zod';
import { runExpiryCheck } from '../lib/domain/expiry.js';
import { DateSchema } from '../lib/domain/ids.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody, rawBody } from '../lib/http/http.js';
import { type Deps, deps, logger } from './deps.js';

export const ExpiryCheckBody = z.strictObject({ asOf: DateSchema.optional() });

/** POST /expiry-checks {asOf?}: the daily expiry check on demand; an empty body checks as of today (UTC). */
export const makePostExpiryChecks = (
  getDeps: () => Pick<Deps, 'lotIndex' | 'master' | 'lots' | 'alerts' | 'alertPublisher' | 'clock' | 'logger' | 'log'>,
) =>
  httpHandler(
    getDeps,
    async (d, event) => {
      const { asOf } = rawBody(event).trim() === '' ? {} : parseBody(ExpiryCheckBody, event);
      const report = await runExpiryCheck(d, asOf);
      d.logger.info('expiry check', {
        asOf: report.asOf,
        expiringSoon: report.expiringSoon.length,
        expired: report.expired.length,
        alertsPublished: report.alertsPublished,
        alertsPending: report.alertsPending,
      });
      return json(200, report);
    },
    logger,
  );
export const handler = makePostExpiryChecks(deps);
