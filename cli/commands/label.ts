import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LABEL_FORMATS, LABEL_MEDIA_TYPES, type LabelFormat, type Symbology } from '../../lib/domain/labels.js';
import type { ApiClient } from '../api-client.js';
import { ok, printJson } from '../output.js';

export type LabelOptions = { output: string; format?: LabelFormat; symbology?: Symbology; quantity?: number; json?: boolean };

/** The format a file name asks for (`label.pdf` → pdf), else the --format option, else SVG. */
export function formatFor(output: string, format?: LabelFormat): LabelFormat {
  if (format) return format;
  const ext = extname(output).slice(1).toLowerCase();
  return (LABEL_FORMATS as readonly string[]).includes(ext) ? (ext as LabelFormat) : 'svg';
}

/**
 * `lotledger label lot GTIN LOT -o label.pdf` and `lotledger label serial GTIN SERIAL -o unit.png`: fetch the label from
 * the API (GET /labels/...) and write it to the file.
 */
export async function label(api: ApiClient, kind: 'lot' | 'serial', gtin: string, id: string, o: LabelOptions): Promise<number> {
  const format = formatFor(o.output, o.format);
  const q = new URLSearchParams({
    format,
    ...(o.symbology ? { symbology: o.symbology } : {}),
    ...(o.quantity !== undefined ? { quantity: String(o.quantity) } : {}),
  });
  const path = `/labels/${kind === 'lot' ? 'lots' : 'serials'}/${encodeURIComponent(gtin)}/${encodeURIComponent(id)}?${q}`;
  const bytes = await api.getBytes(path, LABEL_MEDIA_TYPES[format]);
  await writeFile(o.output, bytes);
  if (o.json) printJson({ output: o.output, format, bytes: bytes.length });
  else console.log(`${ok('wrote')} ${o.output} (${format}, ${bytes.length} bytes)`);
  return 0;
}
