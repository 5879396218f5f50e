import type { Anchor, AnchorStore } from '../../lib/domain/anchors.js';
import type { Checkpoint, CheckpointStore } from '../../lib/domain/checkpoints.js';

/** The export bucket's checkpoints and anchors in memory; every read and write is a copy, as S3's would be. */
export class MemoryBucket implements CheckpointStore, AnchorStore {
  files = new Map<string, Checkpoint | Anchor>();
  async latest() {
    const key = [...this.files.keys()]
      .filter((k) => k.startsWith('checkpoints/'))
      .sort()
      .at(-1);
    return key ? { key, checkpoint: structuredClone(this.files.get(key) as Checkpoint) } : undefined;
  }
  async write(key: string, cp: Checkpoint) {
    this.files.set(key, structuredClone(cp));
  }
  async anchorKeys(startAfter = '') {
    return [...this.files.keys()].filter((k) => k.startsWith('anchors/') && k > startAfter).sort();
  }
  async readAnchor(key: string) {
    const a = this.files.get(key);
    return a ? (structuredClone(a) as Anchor) : undefined;
  }
  async writeAnchor(key: string, a: Anchor) {
    this.files.set(key, structuredClone(a));
  }
}
