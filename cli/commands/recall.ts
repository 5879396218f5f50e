import type { RecallReport } from '../../lib/domain/recall-report.js';
import type { ApiClient } from '../api-client.js';
import { bad, bold, dim, ok, printJson, table } from '../output.js';

type Answer = {
  recallId: string;
  status: string;
  mock: boolean;
  affected: {
    lots: { gtin: string; lot: string }[];
    sites: { siteId: string; kind: string; onHand: number; received: number }[];
    customers: string[];
    sitesTotal?: number;
    customersTotal?: number;
    truncated?: boolean;
  };
  notices: number | { total: number; published: number; pending?: number; acknowledged: number };
  traceMillis: number;
  effectiveness?: { unitsAtRisk: number; unitsAccountedFor: number; percent: number };
  classification?: string;
  reason?: string;
};

/** `GTIN/LOT` → {gtin, lot} */
export const parseLotArg = (s: string) => {
  const i = s.indexOf('/');
  if (i <= 0 || i === s.length - 1) throw new Error(`--lot must be GTIN/LOT, not "${s}"`);
  return { gtin: s.slice(0, i), lot: s.slice(i + 1) };
};

function printAnswer(a: Answer) {
  const head = a.mock ? `${bold('Mock recall')} (a drill: nothing was changed or sent)` : `${bold(`Recall ${a.recallId}`)} ${a.status}`;
  console.log(head);
  console.log(`lots: ${a.affected.lots.map((l) => `${l.lot} ${dim(l.gtin)}`).join(', ')}`);
  console.log(table([['site', 'kind', 'on hand', 'received'], ...a.affected.sites.map((s) => [s.siteId, s.kind, s.onHand, s.received])]));
  if (a.affected.truncated)
    console.log(dim(`the first ${a.affected.sites.length} of ${a.affected.sitesTotal} sites are listed; the report lists every consignee`));
  const n = a.notices;
  if (typeof n === 'number')
    console.log(
      `notices: ${n}${a.mock ? ' would be sent' : ' queued'} · customers: ${a.affected.customersTotal ?? a.affected.customers.length} · trace ${a.traceMillis} ms`,
    );
  else console.log(`notices: ${n.total} · published ${n.published} · acknowledged ${n.acknowledged}`);
  if (a.effectiveness) {
    const e = a.effectiveness;
    console.log(
      `effectiveness: ${e.percent >= 100 ? ok(`${e.percent}%`) : `${e.percent}%`} (${e.unitsAccountedFor} of ${e.unitsAtRisk} units accounted for)`,
    );
  }
}

/** `lotledger recall start --lot GTIN/LOT ... --class I --reason TEXT [--mock]` */
export async function recallStart(
  api: ApiClient,
  o: {
    lot: string[];
    class: string;
    reason: string;
    hazard?: string;
    instructions?: string;
    depth?: string;
    level?: string;
    downstream: boolean;
    mock?: boolean;
    wait?: boolean;
    json?: boolean;
  },
): Promise<number> {
  const body = {
    lots: o.lot.map(parseLotArg),
    classification: o.class,
    reason: o.reason,
    ...(o.hazard ? { hazard: o.hazard } : {}),
    ...(o.instructions ? { instructions: o.instructions } : {}),
    ...(o.depth ? { depth: o.depth } : {}),
    ...(o.level ? { effectivenessLevel: o.level } : {}),
    includeDownstream: o.downstream,
    mock: Boolean(o.mock),
  };
  const a = await api.post<Answer>('/recalls', body);
  if (o.json) printJson(a);
  else printAnswer(a);
  if (o.wait && !a.mock) return waitForNotices(api, a.recallId, Boolean(o.json));
  return 0;
}

/**
 * Poll the recall until every notice was handed to its channels (the notifier runs in the background), for up to 2
 * minutes. A recipient with no channel at all, or one every channel refused for good, counts as settled.
 */
async function waitForNotices(api: ApiClient, recallId: string, json: boolean): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await api.get<{ status: string; notices: { total: number; published: number; failed?: number; notNotifiable?: number } }>(
      `/recalls/${encodeURIComponent(recallId)}`,
    );
    const settled = r.notices.published + (r.notices.failed ?? 0) + (r.notices.notNotifiable ?? 0);
    if (r.status !== 'notifying' && settled >= r.notices.total) {
      const unreached = r.notices.total - r.notices.published;
      if (!json) console.log(ok(`all ${r.notices.total} notices sent${unreached ? ` (${unreached} not notifiable or failed: see the report)` : ''}`));
      return 0;
    }
    if (Date.now() > deadline) {
      if (!json) console.log(bad(`${r.notices.published} of ${r.notices.total} notices published after 2 minutes; the publisher keeps retrying`));
      return 1;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** `lotledger recall status ID` */
export async function recallStatus(api: ApiClient, recallId: string, o: { json?: boolean }): Promise<number> {
  const a = await api.get<Answer>(`/recalls/${encodeURIComponent(recallId)}`);
  if (o.json) printJson(a);
  else printAnswer(a);
  return 0;
}

/** `lotledger recall ack ID --site S --on-hand N --removed N` */
export async function recallAck(
  api: ApiClient,
  recallId: string,
  o: { site: string; onHand: string; removed: string; note?: string; json?: boolean },
): Promise<number> {
  const num = (v: string, name: string) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`${name} must be a number, not "${v}"`);
    return n;
  };
  const ack = await api.post<Record<string, unknown>>(`/recalls/${encodeURIComponent(recallId)}/acknowledgements`, {
    siteId: o.site,
    quantityOnHand: num(o.onHand, '--on-hand'),
    quantityRemoved: num(o.removed, '--removed'),
    ...(o.note ? { note: o.note } : {}),
  });
  if (o.json) printJson(ack);
  else console.log(`${ok('acknowledged')}: ${o.site} on recall ${recallId} (on hand ${o.onHand}, removed ${o.removed})`);
  return 0;
}

/** `lotledger recall report ID`: the 21 CFR 7.53 figures. */
export async function recallReport(api: ApiClient, recallId: string, o: { json?: boolean }): Promise<number> {
  const r = await api.get<RecallReport>(`/recalls/${encodeURIComponent(recallId)}/report`);
  if (o.json) {
    printJson(r);
    return 0;
  }
  console.log(`${bold(`Recall ${r.recallId}`)} status report (21 CFR 7.53)`);
  console.log(
    `consignees notified ${r.consigneesNotified.count} · responded ${r.responded.count} · not responded ${r.notResponded.count ? bad(String(r.notResponded.count)) : 0}`,
  );
  console.log(`quantity returned or corrected ${r.quantityReturnedOrCorrected} · effectiveness ${r.effectivenessPercent}%`);
  if (r.notResponded.count) console.log(table([['not responded', 'follow-ups'], ...r.notResponded.items.map((x) => [x.siteId, x.followUps])]));
  return 0;
}
