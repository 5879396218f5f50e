import { AppError } from '../domain/errors.js';
import { EXPORT_FORMAT_INFO, type ExportFormat, type ExportFormatInfo } from '../domain/exports.js';
import { writeEpcis } from './epcis-export.js';
import type { ExportRun } from './export-run.js';
import { glossaryFacts, writeFsma } from './fsma-export.js';
import { FsmaCsvWriter, FsmaXlsxWriter } from './fsma-writers.js';

/** A format: its file facts and the writer that streams its file out of the ledger. */
export type ExportFormatWriter = ExportFormatInfo & { write(run: ExportRun): Promise<void> };

/**
 * Every export format, in one table: adding a format to EXPORT_FORMATS is a compiler error until it has an entry here
 * (and its facts in EXPORT_FORMAT_INFO).
 * @example await EXPORT_WRITERS[job.format].write(run)
 */
export const EXPORT_WRITERS: Readonly<Record<ExportFormat, ExportFormatWriter>> = {
  'fsma204-csv': { ...EXPORT_FORMAT_INFO['fsma204-csv'], write: (run) => writeFsma(run, new FsmaCsvWriter(run.out)) },
  'fsma204-xlsx': {
    ...EXPORT_FORMAT_INFO['fsma204-xlsx'],
    write: (run) => writeFsma(run, new FsmaXlsxWriter(run.out, () => glossaryFacts(run))),
  },
  'epcis-jsonld': { ...EXPORT_FORMAT_INFO['epcis-jsonld'], write: writeEpcis },
};

/** The writer of a stored job's format; a format this code does not know fails the job instead of becoming another.
 * @example writerOf('epcis-jsonld').extension // 'jsonld'
 */
export function writerOf(format: string): ExportFormatWriter {
  if (Object.hasOwn(EXPORT_WRITERS, format)) return EXPORT_WRITERS[format as ExportFormat];
  throw new AppError('validation_failed', `Unknown export format ${format}`, [{ path: 'format', message: 'is not an export format' }]);
}
