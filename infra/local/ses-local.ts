import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname } from 'node:path';
import sesServer from 'aws-ses-v2-local';

/** One email the SES v2 emulator took, as `/_local/emails` lists it. */
export type SentEmail = { to: string; subject?: string; body: string; html?: string; sentAt: string; messageId: string; from: string };

type StoredEmail = {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject?: string;
  body: { text?: string; html?: string };
  at: number;
};

export type SesLocal = {
  endpoint: string;
  /** what was sent, oldest first; `to` matches a recipient address (any case) */
  emails(to?: string): Promise<SentEmail[]>;
  stop(): Promise<void>;
};

/**
 * The npm package `aws-ses-v2-local` on loopback: the SES v2 API `@aws-sdk/client-sesv2` speaks, keeping what it was
 * sent in memory (`GET /store`). So that the list survives a restart of `npm start`, what it holds is copied into a
 * journal (`file`, one JSON line per email) each time it is read and once a second.
 */
export async function startSesLocal(opts: { file: string; log?: (msg: string, extra?: object) => void }): Promise<SesLocal> {
  // A CommonJS module: its default export may arrive wrapped once more, depending on the loader.
  type Start = (c: { host: string; port: number }) => Promise<Server>;
  const mod = sesServer as unknown as Start | { default: Start };
  const start: Start = typeof mod === 'function' ? mod : mod.default;
  const server = await start({ host: '127.0.0.1', port: 0 });
  const addr = server.address();
  const endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  mkdirSync(dirname(opts.file), { recursive: true });
  const kept: SentEmail[] = existsSync(opts.file)
    ? readFileSync(opts.file, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as SentEmail];
          } catch {
            return []; // a line cut short by a kill
          }
        })
    : [];
  const known = new Set(kept.map((e) => e.messageId));
  const sync = async () => {
    const r = await fetch(`${endpoint}/store`);
    const store = (await r.json()) as { emails: StoredEmail[] };
    const fresh: SentEmail[] = [];
    for (const e of store.emails) {
      if (known.has(e.messageId)) continue;
      known.add(e.messageId);
      for (const to of e.destination.to)
        fresh.push({
          to,
          subject: e.subject,
          body: e.body.text ?? '',
          ...(e.body.html ? { html: e.body.html } : {}),
          sentAt: new Date(e.at * 1000).toISOString(),
          messageId: e.messageId,
          from: e.from,
        });
    }
    if (fresh.length) {
      appendFileSync(opts.file, fresh.map((e) => `${JSON.stringify(e)}\n`).join(''));
      kept.push(...fresh);
    }
  };
  let syncing: Promise<void> | undefined;
  const syncOnce = () => {
    syncing ??= sync()
      .catch((e: unknown) => opts.log?.('ses emulator sync failed', { error: String(e) }))
      .finally(() => {
        syncing = undefined;
      });
    return syncing;
  };
  const timer = setInterval(() => void syncOnce(), 1000);
  timer.unref();
  return {
    endpoint,
    emails: async (to) => {
      await syncOnce();
      const want = to?.trim().toLowerCase();
      return kept.filter((e) => !want || e.to.toLowerCase() === want);
    },
    stop: async () => {
      clearInterval(timer);
      await syncOnce();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
}
