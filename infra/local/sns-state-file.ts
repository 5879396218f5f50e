import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { backgroundSync } from './journal-sync.js';

/**
 * The SNS emulator's state on disk: a snapshot (`file`) and a journal (`file.log`, one JSON line per accepted
 * message). A message is appended to the journal before its publish is answered, so a killed process loses no
 * answered message; the journal is synced to disk in the background (backgroundSync). The snapshot is rewritten
 * whole (temp file, sync, rename: a crash mid-write leaves the previous one) and then the journal is emptied; a crash
 * between the two leaves messages in both, so readers drop journal entries the snapshot already holds.
 */
export class SnsStateFile<State, Entry> {
  private fd?: number;
  private disk?: ReturnType<typeof backgroundSync>;

  constructor(readonly file: string) {}

  private get journal() {
    return `${this.file}.log`;
  }

  /** The last snapshot (if any) and the journal written after it, oldest first. */
  load(): { snapshot: Partial<State>; entries: Entry[] } {
    let snapshot: Partial<State> = {};
    if (existsSync(this.file)) {
      try {
        snapshot = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<State>;
      } catch (cause) {
        throw new Error(`SNS emulator state ${this.file} is not valid JSON; move it away to start empty`, { cause });
      }
    }
    const lines = existsSync(this.journal) ? readFileSync(this.journal, 'utf8').split('\n') : [];
    // Only the last line can be cut short (killed mid-append), and its publish was never answered.
    const whole = lines.slice(0, -1);
    const entries = whole.map((line, i) => {
      try {
        return JSON.parse(line) as Entry;
      } catch (cause) {
        throw new Error(`SNS emulator journal ${this.journal} line ${i + 1} is not valid JSON; move it away to start empty`, { cause });
      }
    });
    return { snapshot, entries };
  }

  /** Append entries to the journal (in the kernel when this returns; on disk shortly after). */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const fd = this.open();
    writeSync(fd, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    this.disk ??= backgroundSync(fd);
    this.disk.sync();
  }

  /** Replace the snapshot with `state`, which holds everything journaled so far, then empty the journal. */
  snapshot(state: State): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const out = openSync(tmp, 'w');
    try {
      writeSync(out, JSON.stringify(state));
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    renameSync(tmp, this.file);
    ftruncateSync(this.open(), 0);
  }

  /** Close the journal once its last sync is done. */
  async close(): Promise<void> {
    await this.disk?.settled();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.disk = undefined;
  }

  private open(): number {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.fd = openSync(this.journal, 'a');
    }
    return this.fd;
  }
}
