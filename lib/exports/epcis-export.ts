import { epcisDocumentFrame, epcisEvents, epcisMasterData, sitesOf } from '../domain/epcis.js';
import { kdeGaps } from '../domain/fsma-kdes.js';
import { fsmaRows } from '../domain/fsma204.js';
import { cteInstant, entryMatches, inDates, pagesByDay } from './day-pages.js';
import { type ExportRun, inCut, track } from './export-run.js';

/**
 * EPCIS events in GSI3 (instant) order, streamed into the document between its head and tail; the header's master
 * data describes every site the events name. FTL products only and no consumer sales unless `includeNonFtl`. The
 * manifest's KDE gap count is that of the FSMA 204 rows of the same movements (the KDEs FDA asks for are the same).
 */
export async function writeEpcis(run: ExportRun): Promise<void> {
  const { request: r, lookup, out, produced } = run;
  const frame = epcisDocumentFrame(run.clock.now().toISOString());
  const scope = { includeNonFtl: r.includeNonFtl === true };
  const sites = new Set<string>();
  await out.write(frame.head);
  for await (const { page } of pagesByDay(run.days, r)) {
    if (page === undefined) continue;
    await lookup.prepare(page);
    for (const e of page) {
      if (!entryMatches(e, r) || !inCut(e, run.cut)) continue;
      // a transfer's shipping and receiving events each on their own day (cteInstant)
      const events = epcisEvents(e, lookup, scope).filter((ev) => e.type !== 'transfer' || inDates(ev.eventTime, r));
      if (events.length === 0) continue;
      track(produced, e);
      for (const row of fsmaRows(e, lookup)) if (inDates(cteInstant(e, row.cte === 'Receiving'), r)) produced.kdeGaps += kdeGaps(row).length;
      for (const s of sitesOf(e)) sites.add(s);
      for (const ev of events) await out.write(`${produced.rowCount++ === 0 ? '' : ','}${JSON.stringify(ev)}`);
    }
  }
  await out.write(frame.tail(epcisMasterData(sites, lookup)));
}
