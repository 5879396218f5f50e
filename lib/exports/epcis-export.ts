import { epcisDocumentFrame, epcisEvents } from '../domain/epcis.js';
import { entryMatches, pagesByDay } from './day-pages.js';
import { type ExportRun, track } from './export-run.js';

/** EPCIS events in GSI3 (instant) order, streamed into the document between its head and tail. */
export async function writeEpcis(run: ExportRun): Promise<void> {
  const { request: r, lookup, out, produced } = run;
  const frame = epcisDocumentFrame(run.clock.now().toISOString());
  await out.write(frame.head);
  for await (const { page } of pagesByDay(run.days, r)) {
    if (page === undefined) continue;
    await lookup.prepare(page);
    for (const e of page) {
      if (!entryMatches(e, r)) continue;
      const events = epcisEvents(e, lookup);
      if (events.length === 0) continue;
      track(produced, e);
      for (const ev of events) await out.write(`${produced.rowCount++ === 0 ? '' : ','}${JSON.stringify(ev)}`);
    }
  }
  await out.write(frame.tail);
}
