import { TextSchema } from '../lib/domain/ids.js';
import { issueSscc, SsccRequest } from '../lib/domain/label-requests.js';
import { LABEL_MEDIA_TYPES } from '../lib/domain/labels.js';
import { renderLabel } from '../lib/exports/label-render.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

const IdempotencyKey = TextSchema(200, { trim: true });

/**
 * POST /labels/sscc: a new SSCC and its logistic label, 201 `{sscc, label: {format, symbology, mediaType, encoding, data, href}}`.
 * `data` is the label itself (base64 for PNG and PDF, text for SVG and ZPL); `href` renders it again. An
 * `Idempotency-Key` header makes a retried request get the same SSCC instead of a new one.
 */
export const makePostLabelSscc = (d: Pick<Deps, 'master' | 'ledger' | 'ssccs' | 'labelSettings' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const req = parseBody(SsccRequest, event);
    const rawKey = event.headers?.['idempotency-key'];
    const key = rawKey === undefined ? undefined : parseParam(IdempotencyKey, 'Idempotency-Key', rawKey);
    const { record, spec } = await issueSscc(d, req, key);
    const bytes = await renderLabel(spec, req.format);
    const binary = req.format === 'png' || req.format === 'pdf';
    d.logger.info('sscc issued', { sscc: record.sscc, site: record.site });
    return json(
      201,
      {
        sscc: record.sscc,
        label: {
          format: req.format,
          symbology: req.symbology,
          mediaType: LABEL_MEDIA_TYPES[req.format],
          encoding: binary ? 'base64' : 'utf8',
          data: binary ? bytes.toString('base64') : bytes.toString('utf8'),
          href: `/labels/sscc/${record.sscc}?format=${req.format}&symbology=${req.symbology}`,
        },
        site: record.site,
        ...(record.shipTo ? { shipTo: record.shipTo } : {}),
        contents: record.contents,
        issuedAt: record.issuedAt,
      },
      { location: `/labels/sscc/${record.sscc}` },
    );
  });
export const handler = makePostLabelSscc(deps());
