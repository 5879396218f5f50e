import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LABEL_MEDIA_TYPES, type LabelFormat, LabelFormatSchema, SymbologySchema } from '../domain/labels.js';
import type { HttpResult } from './http.js';
import { queryParam } from './params.js';

/** `?format=&symbology=` of a label route; SVG and GS1-128 when absent. */
export const labelOptions = (event: APIGatewayProxyEventV2) => ({
  format: queryParam(event, 'format', LabelFormatSchema) ?? 'svg',
  symbology: queryParam(event, 'symbology', SymbologySchema) ?? 'gs1-128',
});

/** The label's bytes as the HTTP answer: binary formats base64 (API Gateway decodes them), the text formats as text. */
export function labelAnswer(bytes: Buffer, format: LabelFormat, name: string): HttpResult {
  const binary = format === 'png' || format === 'pdf';
  return {
    statusCode: 200,
    headers: {
      'content-type': format === 'svg' || format === 'zpl' ? `${LABEL_MEDIA_TYPES[format]}; charset=utf-8` : LABEL_MEDIA_TYPES[format],
      'content-disposition': `inline; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}"`,
      'cache-control': 'no-store',
    },
    body: binary ? bytes.toString('base64') : bytes.toString('utf8'),
    isBase64Encoded: binary,
  };
}
