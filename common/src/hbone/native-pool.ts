// HbonePool (pool.ts) for the native data path: client sessions pooled per key, up to N streams each, kept
// alive by PINGs and released when idle. A tunnel's bytes move in C++ once attach() joins it to the app socket.
import type { Socket } from 'node:net';
import { HboneError } from './hbone-error.ts';
import type { KeepaliveOptions } from './keepalive.ts';
import { startNativeKeepalive } from './native-keepalive.ts';
import type { FlatHeaders, NativeHboneSession, NativeStreamEnd } from './native-session.ts';
import type { HbonePoolOptions } from './pool.ts';
import { HBONE_CLIENT_MAX_STREAMS, HBONE_POOL_IDLE_MS } from './settings.ts';

export interface NativeConnectOptions {
  /** The pool key: (source identity, expected destination identities, source IP, destination address). */
  readonly key: string;
  /** A new session when the pool needs one: connected, TLS done and the server's identity checked. */
  readonly dial: () => Promise<NativeHboneSession>;
  /** The CONNECT target, `ip:port`. */
  readonly authority: string;
  /** Extra request headers: baggage, forwarded, traceparent. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An answered CONNECT (200). Join it to the app socket with attach(); `ended` reports the bytes. */
export interface NativeTunnel {
  readonly responseHeaders: FlatHeaders;
  readonly ended: Promise<NativeStreamEnd>;
  attach(socket: Socket): Promise<NativeStreamEnd>;
  /** RST_STREAM(CANCEL); the app socket, if attached, is reset. */
  reset(): void;
}

interface Entry {
  readonly key: string;
  session: Promise<NativeHboneSession>;
  active: number;
  usable: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

export class NativeHbonePool {
  readonly #maxStreams: number;
  readonly #idleMs: number;
  readonly #keepalive: KeepaliveOptions | undefined;
  readonly #entries = new Map<string, Entry[]>();
  #closed = false;

  constructor(opts: HbonePoolOptions = {}) {
    this.#maxStreams = opts.maxStreamsPerSession ?? HBONE_CLIENT_MAX_STREAMS;
    this.#idleMs = opts.idleMs ?? HBONE_POOL_IDLE_MS;
    this.#keepalive = opts.keepalive;
  }

  /** Opens one tunnel; resolves once the peer answered 200, else rejects with ERR_HBONE_STATUS or ERR_HBONE_SESSION. */
  async connect(opts: NativeConnectOptions): Promise<NativeTunnel> {
    if (this.#closed) throw new HboneError('ERR_HBONE_SESSION', 'HBONE pool is closed');
    const entry = this.#reserve(opts);
    let session: NativeHboneSession;
    try {
      session = await entry.session;
    } catch (err) {
      this.#release(entry);
      throw new HboneError('ERR_HBONE_SESSION', `HBONE connection failed: ${(err as Error).message}`, { cause: err });
    }
    const headers: string[] = [];
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers.push(k, v);
    let answer;
    try {
      answer = await session.open(opts.authority, headers);
    } catch (err) {
      this.#retire(entry);
      this.#release(entry);
      throw new HboneError('ERR_HBONE_SESSION', `CONNECT ${opts.authority} failed: ${(err as Error).message}`, { cause: err });
    }
    void answer.ended.then(() => this.#release(entry));
    const id = answer.id;
    if (answer.status !== 200) {
      session.reset(id, 0);
      throw new HboneError('ERR_HBONE_STATUS', `CONNECT ${opts.authority} refused with status ${answer.status}`, { status: answer.status });
    }
    return {
      responseHeaders: answer.headers,
      ended: answer.ended,
      attach: (socket) => session.attach(id, socket),
      reset: () => session.reset(id),
    };
  }

  /** Sessions and active streams (for config dumps and tests). */
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
        if (!s || s.isClosed) return;
        if (opts.force) s.destroy();
        else s.goaway();
        await s.closed();
      }),
    );
  }

  #reserve(opts: NativeConnectOptions): Entry {
    let list = this.#entries.get(opts.key);
    if (!list) {
      list = [];
      this.#entries.set(opts.key, list);
    }
    let entry = list.find((e) => e.usable && e.active < this.#maxStreams);
    if (!entry) {
      entry = { key: opts.key, active: 0, usable: true, idleTimer: undefined } as Entry;
      const e = entry;
      e.session = opts.dial().then((s) => this.#started(e, s));
      e.session.catch(() => this.#retire(e));
      list.push(entry);
    }
    entry.active++;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    return entry;
  }

  #started(entry: Entry, session: NativeHboneSession): NativeHboneSession {
    session.onGoaway = () => this.#retire(entry);
    void session.closed().then(() => this.#retire(entry));
    startNativeKeepalive(session, this.#keepalive);
    return session;
  }

  /** Takes a session out of rotation (closed, failed or told to go away); its open streams carry on. */
  #retire(entry: Entry): void {
    entry.usable = false;
    const list = this.#entries.get(entry.key);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#entries.delete(entry.key);
  }

  #release(entry: Entry): void {
    entry.active--;
    if (entry.active > 0) return;
    if (!entry.usable) {
      void entry.session.then((s) => s.goaway(), () => {});
      return;
    }
    entry.idleTimer = setTimeout(() => {
      if (entry.active > 0) return;
      this.#retire(entry);
      void entry.session.then((s) => s.goaway(), () => {});
    }, this.#idleMs);
    entry.idleTimer.unref();
  }
}
