import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshError } from '@mesh/common/errors';
import type { ObjectStore, StoreSnapshot } from './store.ts';

const FILE = 'objects.json';

/** Reads the saved objects of a data directory, or undefined when there are none yet. */
export function loadSnapshot(dir: string): StoreSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const snap = JSON.parse(text) as StoreSnapshot;
    if (typeof snap.resourceVersion !== 'number' || typeof snap.objects !== 'object' || snap.objects === null) throw new Error('missing resourceVersion or objects');
    return snap;
  } catch (err) {
    throw new MeshError('ERR_APISERVER_BAD_DATA_DIR', `${join(dir, FILE)} is not a saved object store: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Writes the whole store to `<dir>/objects.json` shortly after changes (one write per burst), atomically by
 * rename, and once more on close. Whole-file snapshots keep it simple; a local cluster holds few objects.
 */
export class SnapshotWriter {
  readonly #store: ObjectStore;
  readonly #dir: string;
  readonly #delayMs: number;
  readonly #unsubscribe: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(store: ObjectStore, dir: string, delayMs = 200) {
    this.#store = store;
    this.#dir = dir;
    this.#delayMs = delayMs;
    mkdirSync(dir, { recursive: true });
    this.#unsubscribe = store.subscribe(() => this.#schedule());
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, this.#delayMs);
  }

  flush(): void {
    const tmp = join(this.#dir, `${FILE}.tmp`);
    writeFileSync(tmp, JSON.stringify(this.#store.snapshot()));
    renameSync(tmp, join(this.#dir, FILE));
  }

  close(): void {
    this.#unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flush();
  }
}
