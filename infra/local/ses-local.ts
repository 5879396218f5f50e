import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { backgroundSync } from './journal-sync.js';

const require = createRequire(import.meta.url);

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
 * sent in memory (`GET /store`). So that no email it accepted is lost when `npm start` is killed, each one is appended
 * to a journal (`file`, one JSON line per email) before SendEmail is answered, and synced to disk in the background
 * (backgroundSync): the package's handler calls its store module's `saveEmail` before it replies, and that function is
 * wrapped here. On start the journal is read back.
 */
export async function startSesLocal(opts: { file: string; log?: (msg: string, extra?: object) => void }): Promise<SesLocal> {
  type Start = (c: { host: string; port: number }) => Promise<Server>;
  const store = require('aws-ses-v2-local/dist/store.js') as { saveEmail: (e: StoredEmail) => void };
  const start = (require('aws-ses-v2-local') as { default: Start }).default;
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
  const fd = openSync(opts.file, 'a');
  const disk = backgroundSync(fd);
  const original = store.saveEmail;
  store.saveEmail = (e: StoredEmail) => {
    const fresh: SentEmail[] = e.destination.to.map((to) => ({
      to,
      subject: e.subject,
      body: e.body.text ?? '',
      ...(e.body.html ? { html: e.body.html } : {}),
      sentAt: new Date(e.at * 1000).toISOString(),
      messageId: e.messageId,
      from: e.from,
    }));
    writeSync(fd, fresh.map((x) => `${JSON.stringify(x)}\n`).join(''));
    kept.push(...fresh);
    original(e);
    disk.sync();
  };
  const server = await start({ host: '127.0.0.1', port: 0 });
  const addr = server.address();
  const endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    endpoint,
    emails: async (to) => {
      const want = to?.trim().toLowerCase();
      return kept.filter((e) => !want || e.to.toLowerCase() === want);
    },
    stop: async () => {
      store.saveEmail = original;
      await disk.settled();
      closeSync(fd);
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
}
