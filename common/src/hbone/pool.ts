import http2 from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { HboneError } from './hbone-error.ts';
import { startKeepalive } from './keepalive.ts';
import type { KeepaliveOptions } from './keepalive.ts';
import { HBONE_CLIENT_MAX_STREAMS, HBONE_CLIENT_SETTINGS, HBONE_CONNECTION_WINDOW_BYTES, HBONE_POOL_IDLE_MS } from './settings.ts';

export interface HbonePoolOptions {
  /** Streams per HTTP/2 session before a new one is opened (capped by the peer's SETTINGS). Default 100. */
  readonly maxStreamsPerSession?: number;
  /** How long an unused session is kept. Default 5 min. */
  readonly idleMs?: number;
  readonly keepalive?: KeepaliveOptions;
}

export interface HboneConnectOptions {
  /**
   * The pool key. Sessions are shared only between connects with the same key, which callers build from
   * (source identity, expected destination identities, source IP, destination address), so unrelated
   * identities never share a tunnel.
   */
  readonly key: string;
  /** Opens a new mutual-TLS connection (ALPN h2, peer already verified) when the pool needs one. */
  readonly dial: () => Promise<TLSSocket>;
  /** The CONNECT target, `ip:port` (or `host:port`). */
  readonly authority: string;
  /** Extra request headers: baggage, forwarded, traceparent. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An established tunnel: a duplex stream carrying the proxied bytes. */
export interface HboneTunnel {
  readonly stream: ClientHttp2Stream;
  readonly responseHeaders: IncomingHttpHeaders;
}

interface Entry {
  readonly key: string;
  session: Promise<ClientHttp2Session>;
  active: number;
  usable: boolean;
  limit: number;
  idleTimer: NodeJS.Timeout | undefined;
}

/** HBONE client sessions, pooled per key, up to N streams each, released when idle. */
export class HbonePool {
  private readonly maxStreams: number;
  private readonly idleMs: number;
  private readonly keepalive: KeepaliveOptions | undefined;
  private readonly entries = new Map<string, Entry[]>();
  private closed = false;

  constructor(opts: HbonePoolOptions = {}) {
    this.maxStreams = opts.maxStreamsPerSession ?? HBONE_CLIENT_MAX_STREAMS;
    this.idleMs = opts.idleMs ?? HBONE_POOL_IDLE_MS;
    this.keepalive = opts.keepalive;
  }

  /** Opens one tunnel; resolves once the peer answered 200, else rejects with ERR_HBONE_STATUS or ERR_HBONE_SESSION. */
  async connect(opts: HboneConnectOptions): Promise<HboneTunnel> {
    if (this.closed) throw new HboneError('ERR_HBONE_SESSION', 'HBONE pool is closed');
    const entry = this.reserve(opts);
    let session: ClientHttp2Session;
    try {
      session = await entry.session;
    } catch (err) {
      this.release(entry);
      throw new HboneError('ERR_HBONE_SESSION', `HBONE connection failed: ${(err as Error).message}`, { cause: err });
    }
    let stream: ClientHttp2Stream;
    try {
      stream = session.request({ ':method': 'CONNECT', ':authority': opts.authority, ...opts.headers }, { endStream: false });
    } catch (err) {
      this.retire(entry);
      this.release(entry);
      throw new HboneError('ERR_HBONE_SESSION', `HBONE session unusable: ${(err as Error).message}`, { cause: err });
    }
    stream.once('close', () => this.release(entry));
    return awaitResponse(stream, opts.authority);
  }

  /** Sessions and active streams, per key (for config dumps and tests). */
  stats(): { sessions: number; streams: number } {
    let sessions = 0;
    let streams = 0;
    for (const list of this.entries.values()) {
      sessions += list.length;
      for (const e of list) streams += e.active;
    }
    return { sessions, streams };
  }

  /** Closes every session: gracefully (GOAWAY, open streams finish) or at once with `force`. */
  async close(opts: { force?: boolean } = {}): Promise<void> {
    this.closed = true;
    const all = [...this.entries.values()].flat();
    this.entries.clear();
    await Promise.all(
      all.map(async (e) => {
        clearTimeout(e.idleTimer);
        const s = await e.session.catch(() => undefined);
        if (!s) return;
        if (opts.force) s.destroy();
        else await new Promise<void>((resolve) => s.close(() => resolve()));
      }),
    );
  }

  private reserve(opts: HboneConnectOptions): Entry {
    let list = this.entries.get(opts.key);
    if (!list) {
      list = [];
      this.entries.set(opts.key, list);
    }
    let entry = list.find((e) => e.usable && e.active < e.limit);
    if (!entry) {
      entry = this.open(opts);
      list.push(entry);
    }
    entry.active++;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    return entry;
  }

  private open(opts: HboneConnectOptions): Entry {
    const entry = { key: opts.key, active: 0, usable: true, limit: this.maxStreams, idleTimer: undefined } as Entry;
    entry.session = opts.dial().then((socket) => this.startSession(entry, socket));
    entry.session.catch(() => this.retire(entry));
    return entry;
  }

  private startSession(entry: Entry, socket: TLSSocket): ClientHttp2Session {
    const session = http2.connect('https://hbone', {
      createConnection: () => socket,
      settings: HBONE_CLIENT_SETTINGS,
    });
    session.on('error', () => this.retire(entry));
    session.once('close', () => this.retire(entry));
    session.once('goaway', () => this.retire(entry));
    session.once('connect', () => session.setLocalWindowSize(HBONE_CONNECTION_WINDOW_BYTES));
    session.on('remoteSettings', (s) => {
      entry.limit = Math.min(this.maxStreams, s.maxConcurrentStreams ?? this.maxStreams);
    });
    startKeepalive(session, this.keepalive);
    return session;
  }

  /** Takes a session out of rotation (closed, failed or told to go away); its open streams carry on. */
  private retire(entry: Entry): void {
    entry.usable = false;
    const list = this.entries.get(entry.key);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.entries.delete(entry.key);
  }

  private release(entry: Entry): void {
    entry.active--;
    if (entry.active > 0 || !entry.usable) {
      if (entry.active <= 0 && !entry.usable) void entry.session.then((s) => s.close(), () => {});
      return;
    }
    entry.idleTimer = setTimeout(() => {
      if (entry.active > 0) return;
      this.retire(entry);
      void entry.session.then((s) => s.close(), () => {});
    }, this.idleMs);
    entry.idleTimer.unref();
  }
}

function awaitResponse(stream: ClientHttp2Stream, authority: string): Promise<HboneTunnel> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      cleanup();
      reject(new HboneError('ERR_HBONE_SESSION', `CONNECT ${authority} failed: ${err.message}`, { cause: err }));
    };
    const onClose = () => {
      cleanup();
      reject(new HboneError('ERR_HBONE_SESSION', `CONNECT ${authority}: stream closed before a response (code ${stream.rstCode})`));
    };
    const onResponse = (headers: IncomingHttpHeaders) => {
      cleanup();
      const status = Number(headers[':status']);
      if (status === 200) {
        resolve({ stream, responseHeaders: headers });
        return;
      }
      stream.close();
      reject(new HboneError('ERR_HBONE_STATUS', `CONNECT ${authority} refused with status ${status}`, { status }));
    };
    const cleanup = () => {
      stream.off('error', onError);
      stream.off('close', onClose);
      stream.off('response', onResponse);
    };
    stream.once('error', onError);
    stream.once('close', onClose);
    stream.once('response', onResponse);
  });
}
