// The pooling both HBONE clients share (node:http2 in pool.ts, native in native-pool.ts): sessions per key, up
// to a stream limit each, taken out of rotation when they close or are told to go away, closed when idle.
import { HboneError } from './hbone-error.ts';
import { HBONE_CLIENT_MAX_STREAMS, HBONE_POOL_IDLE_MS } from './settings.ts';

/** How the pool handles one kind of session. */
export interface SessionKind<S> {
  /** A new session is up: call `retire` when it closes, fails or gets a GOAWAY; `setLimit` on the peer's SETTINGS. */
  started(session: S, retire: () => void, setLimit: (maxStreams: number) => void): void;
  /** Closes gracefully (open streams finish) or at once; resolves when closed. */
  close(session: S, force: boolean): Promise<void>;
}

/** One pooled session: reserve() hands it out with one more stream counted, release() gives that stream back. */
export interface PoolEntry<S> {
  readonly session: Promise<S>;
}

interface Entry<S> extends PoolEntry<S> {
  readonly key: string;
  session: Promise<S>;
  active: number;
  usable: boolean;
  limit: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export interface SessionPoolOptions {
  /** Streams per HTTP/2 session before a new one is opened (capped by the peer's SETTINGS). Default 100. */
  readonly maxStreamsPerSession?: number;
  /** How long an unused session is kept. Default 5 min. */
  readonly idleMs?: number;
}

export class SessionPool<S> {
  readonly #kind: SessionKind<S>;
  readonly #maxStreams: number;
  readonly #idleMs: number;
  readonly #entries = new Map<string, Entry<S>[]>();
  #closed = false;

  constructor(kind: SessionKind<S>, opts: SessionPoolOptions = {}) {
    this.#kind = kind;
    this.#maxStreams = opts.maxStreamsPerSession ?? HBONE_CLIENT_MAX_STREAMS;
    this.#idleMs = opts.idleMs ?? HBONE_POOL_IDLE_MS;
  }

  /** A session of `key` with room for one more stream (dialling a new one when none has), counted as in use. */
  reserve(key: string, dial: () => Promise<S>): PoolEntry<S> {
    if (this.#closed) throw new HboneError('ERR_HBONE_SESSION', 'HBONE pool is closed');
    let list = this.#entries.get(key);
    if (!list) {
      list = [];
      this.#entries.set(key, list);
    }
    let entry = list.find((e) => e.usable && e.active < e.limit);
    if (!entry) {
      const e = { key, active: 0, usable: true, limit: this.#maxStreams, idleTimer: undefined } as Entry<S>;
      e.session = dial().then((s) => {
        this.#kind.started(
          s,
          () => this.retire(e),
          (n) => (e.limit = Math.min(this.#maxStreams, n)),
        );
        return s;
      });
      e.session.catch(() => this.retire(e));
      list.push(e);
      entry = e;
    }
    entry.active++;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    return entry;
  }

  /** reserve(), then the session itself: a dial that failed gives its stream back and is ERR_HBONE_SESSION. */
  async acquire(key: string, dial: () => Promise<S>): Promise<{ entry: PoolEntry<S>; session: S }> {
    const entry = this.reserve(key, dial);
    try {
      return { entry, session: await entry.session };
    } catch (err) {
      this.release(entry);
      throw new HboneError('ERR_HBONE_SESSION', `HBONE connection failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Takes a session out of rotation (closed, failed or told to go away); its open streams carry on. */
  retire(pooled: PoolEntry<S>): void {
    const entry = pooled as Entry<S>;
    entry.usable = false;
    const list = this.#entries.get(entry.key);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#entries.delete(entry.key);
  }

  /** One stream of the entry is done; an unused session closes (at once when retired, else after idleMs). */
  release(pooled: PoolEntry<S>): void {
    const entry = pooled as Entry<S>;
    entry.active--;
    if (entry.active > 0) return;
    if (!entry.usable) {
      void entry.session.then((s) => this.#kind.close(s, false), () => {});
      return;
    }
    entry.idleTimer = setTimeout(() => {
      if (entry.active > 0) return;
      this.retire(entry);
      void entry.session.then((s) => this.#kind.close(s, false), () => {});
    }, this.#idleMs);
    entry.idleTimer.unref();
  }

  /** Sessions and active streams, for config dumps and tests. */
  stats(): { sessions: number; streams: number } {
    let sessions = 0;
    let streams = 0;
    for (const list of this.#entries.values()) {
      sessions += list.length;
      for (const e of list) streams += e.active;
    }
    return { sessions, streams };
  }

  /** Closes every session: gracefully (GOAWAY, open streams finish) or at once with `force`. */
  async close(opts: { force?: boolean } = {}): Promise<void> {
    this.#closed = true;
    const all = [...this.#entries.values()].flat();
    this.#entries.clear();
    await Promise.all(
      all.map(async (e) => {
        clearTimeout(e.idleTimer);
        const s = await e.session.catch(() => undefined);
        if (s !== undefined) await this.#kind.close(s, opts.force === true);
      }),
    );
  }
}
