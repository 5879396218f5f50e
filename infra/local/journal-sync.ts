import { fdatasync } from 'node:fs';

/**
 * Syncs a journal to disk in the background, one fdatasync at a time, the next covering every write since the last
 * began. Each write is in the kernel before its call is answered (writeSync), so a killed process loses nothing;
 * only a machine that dies in the few milliseconds before the sync can. A sync a call was per email blocked the
 * event loop the notifier runs on for milliseconds each (10,000 emails: most of a recall's fan-out).
 */
export function backgroundSync(fd: number): { sync(): void; settled(): Promise<void> } {
  let pending: Promise<void> | undefined;
  let dirty = false;
  const loop = async () => {
    do {
      dirty = false;
      await new Promise<void>((ok) => fdatasync(fd, () => ok()));
    } while (dirty);
    pending = undefined;
  };
  return {
    sync() {
      if (pending) dirty = true;
      else pending = loop();
    },
    settled: () => pending ?? Promise.resolve(),
  };
}
