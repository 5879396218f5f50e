import { z } from 'zod';
import { runExpiryCheck } from '../lib/domain/expiry.js';
import { DateSchema } from '../lib/domain/ids.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody, rawBody } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

export const ExpiryCheckBody = z.strictObject({ asOf: DateSchema.optional() });

/** POST /expiry-checks {asOf?}: the daily expiry check on demand; an empty body checks as of today (UTC). */
export const makePostExpiryChecks = (d: Pick<Deps, 'lotIndex' | 'master' | 'ledger' | 'alerts' | 'alertPublisher' | 'clock' | 'logger' | 'log'>) =>
  httpHandler(d, async (d, event) => {
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
  });
export const handler = makePostExpiryChecks(deps());
