import { describe, expect, it } from 'vitest';
import type { ExportRequest } from '../../lib/domain/exports.js';
import { kdeGapReport } from '../../lib/exports/kde-gap-report.js';
import { runExport } from '../../lib/exports/run-export.js';
import { ledgerWith, memoryRunDeps, pendingJob } from '../support/exports.js';
import { GTIN, mv } from '../support/fixtures.js';

/**
 * A transfer shipped one evening and received the next morning: its Shipping CTE happened on the first day, its
 * Receiving on the second. Each export (and FDA request, which uses the same writers) holds each on its own day.
 */
const movements = [
  mv({ eventId: 'rcv', type: 'receive', lot: 'R1', quantity: 10, counterparty: 'farm-1', occurredAt: '2026-02-28T08:00:00-05:00' }),
  mv({
    eventId: 'overnight',
    type: 'transfer',
    lot: 'R1',
    quantity: 4,
    site: 'dc-1',
    counterparty: 'store-2',
    occurredAt: '2026-02-28T20:00:00-05:00',
    receivedAt: '2026-03-01T09:15:00-05:00',
  }),
];

async function exported(format: ExportRequest['format'], day: string) {
  const l = await ledgerWith(movements);
  const d = memoryRunDeps(l);
  const job = pendingJob(`X-${format}-${day}`, { format, from: day, to: day, gtin: GTIN.romaine });
  await d.jobs.create(job);
  await runExport(d, job.exportId);
  return { text: d.bucketMem.objects.get(job.key)?.toString('utf8') ?? '', d };
}

describe('a transfer received the day after it shipped', () => {
  it('is shipped in the first day’s CSV and received in the second’s', async () => {
    const csvRows = (text: string) =>
      text
        .split('\r\n')
        .slice(1)
        .filter((r) => r.includes('overnight'))
        .map((r) => r.split(',')[0]);
    expect(csvRows((await exported('fsma204-csv', '2026-02-28')).text)).toEqual(['Shipping']);
    expect(csvRows((await exported('fsma204-csv', '2026-03-01')).text)).toEqual(['Receiving']);
  });

  it('has its shipping event in the first day’s EPCIS and its receiving event in the second’s', async () => {
    const events = (text: string) =>
      (JSON.parse(text) as { epcisBody: { eventList: { bizStep?: string; eventTime: string }[] } }).epcisBody.eventList
        .filter((e) => e.eventTime.startsWith('2026-02-28T20') || e.eventTime.startsWith('2026-03-01T09'))
        .map((e) => [e.bizStep, e.eventTime]);
    expect(events((await exported('epcis-jsonld', '2026-02-28')).text)).toEqual([['shipping', '2026-02-28T20:00:00-05:00']]);
    expect(events((await exported('epcis-jsonld', '2026-03-01')).text)).toEqual([['receiving', '2026-03-01T09:15:00-05:00']]);
  });

  it('lists KDE gaps by the same days', async () => {
    const l = await ledgerWith(movements);
    const d = memoryRunDeps(l);
    const ctes = async (day: string) =>
      (await kdeGapReport(d, { from: day, to: day })).items.filter((i) => i.eventId === 'overnight').map((i) => i.cte);
    const first = await ctes('2026-02-28');
    const second = await ctes('2026-03-01');
    expect(first.includes('Receiving')).toBe(false);
    expect(second.includes('Shipping')).toBe(false);
  });
});
