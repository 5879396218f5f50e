import type { Clock } from './clock.js';

/**
 * Walks of the trace graph kept for their next pages, so that following `nextCursor` reads nothing again: each under
 * an id the cursor carries, for `ttlMs` after it was last used, and together at most `maxMovements` movements (the
 * least recently used go first). Per process: a page that lands where its walk is not kept (another Lambda instance, a
 * restart, an evicted walk) walks the graph again, and the cursor's position still gives each movement once. 200,000
 * movements are some 200 MB of a 1,024 MB function: no more than the request that walked them already held.
 */
export class TraceWalks<W extends { movements: number }> {
  private readonly walks = new Map<string, { walk: W; usedAt: number }>();
  private held = 0;

  constructor(
    private readonly clock: Clock,
    private readonly newId: () => string,
    private readonly opts: { ttlMs: number; maxMovements: number } = { ttlMs: 5 * 60_000, maxMovements: 200_000 },
  ) {}

  /** Keep a walk; its id, or undefined when it alone is larger than the whole store. */
  put(walk: W): string | undefined {
    if (walk.movements > this.opts.maxMovements) return undefined;
    this.expire();
    const id = this.newId();
    this.walks.set(id, { walk, usedAt: this.clock.now().getTime() });
    this.held += walk.movements;
    for (const [oldest, w] of this.walks) {
      if (this.held <= this.opts.maxMovements) break;
      this.drop(oldest, w.walk);
    }
    return id;
  }

  /** The walk kept under `id`, now the most recently used, or undefined. */
  get(id: string): W | undefined {
    this.expire();
    const w = this.walks.get(id);
    if (!w) return undefined;
    this.walks.delete(id);
    this.walks.set(id, { walk: w.walk, usedAt: this.clock.now().getTime() });
    return w.walk;
  }

  /** How many walks are kept. */
  get size(): number {
    return this.walks.size;
  }

  private expire() {
    const now = this.clock.now().getTime();
    for (const [id, w] of this.walks) if (now - w.usedAt > this.opts.ttlMs) this.drop(id, w.walk);
  }

  private drop(id: string, walk: W) {
    this.walks.delete(id);
    this.held -= walk.movements;
  }
}
