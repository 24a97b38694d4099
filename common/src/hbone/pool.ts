import http2 from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { HboneError } from './hbone-error.ts';
import { startKeepalive } from './keepalive.ts';
import type { KeepaliveOptions } from './keepalive.ts';
import { SessionPool } from './session-pool.ts';
import type { SessionPoolOptions } from './session-pool.ts';
import { HBONE_CLIENT_SETTINGS, HBONE_CONNECTION_WINDOW_BYTES } from './settings.ts';

export interface HbonePoolOptions extends SessionPoolOptions {
  readonly keepalive?: KeepaliveOptions;
}

/** One connect through a pool; `S` is what dial gives: a verified TLS socket here, a native session for NativeHbonePool. */
export interface HboneConnectOptions<S = TLSSocket> {
  /**
   * The pool key. Sessions are shared only between connects with the same key, which callers build from
   * (source identity, expected destination identities, source IP, destination address), so unrelated
   * identities never share a tunnel.
   */
  readonly key: string;
  /** Opens a new mutual-TLS connection (ALPN h2, peer already verified) when the pool needs one. */
  readonly dial: () => Promise<S>;
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

/** HBONE client sessions, pooled per key, up to N streams each, released when idle. */
export class HbonePool {
  readonly #pool: SessionPool<ClientHttp2Session>;

  constructor(opts: HbonePoolOptions = {}) {
    const keepalive = opts.keepalive;
    this.#pool = new SessionPool<ClientHttp2Session>(
      {
        started: (session, retire, setLimit) => {
          session.on('error', retire);
          session.once('close', retire);
          session.once('goaway', retire);
          session.on('remoteSettings', (s) => setLimit(s.maxConcurrentStreams ?? Number.MAX_SAFE_INTEGER));
          startKeepalive(session, keepalive);
        },
        close: (session, force) => {
          if (force) {
            session.destroy();
            return Promise.resolve();
          }
          return new Promise<void>((resolve) => session.close(() => resolve()));
        },
      },
      opts,
    );
  }

  /** Opens one tunnel; resolves once the peer answered 200, else rejects with ERR_HBONE_STATUS or ERR_HBONE_SESSION. */
  async connect(opts: HboneConnectOptions): Promise<HboneTunnel> {
    const { entry, session } = await this.#pool.acquire(opts.key, () => opts.dial().then(startSession));
    let stream: ClientHttp2Stream;
    try {
      stream = session.request({ ':method': 'CONNECT', ':authority': opts.authority, ...opts.headers }, { endStream: false });
    } catch (err) {
      this.#pool.retire(entry);
      this.#pool.release(entry);
      throw new HboneError('ERR_HBONE_SESSION', `HBONE session unusable: ${(err as Error).message}`, { cause: err });
    }
    stream.once('close', () => this.#pool.release(entry));
    return awaitResponse(stream, opts.authority);
  }

  /** Sessions and active streams, per key (for config dumps and tests). */
  stats(): { sessions: number; streams: number } {
    return this.#pool.stats();
  }

  /** Closes every session: gracefully (GOAWAY, open streams finish) or at once with `force`. */
  close(opts: { force?: boolean } = {}): Promise<void> {
    return this.#pool.close(opts);
  }
}

/** HTTP/2 on a verified TLS connection, with HBONE's settings and connection window. */
function startSession(socket: TLSSocket): ClientHttp2Session {
  const session = http2.connect('https://hbone', {
    createConnection: () => socket,
    settings: HBONE_CLIENT_SETTINGS,
  });
  session.once('connect', () => session.setLocalWindowSize(HBONE_CONNECTION_WINDOW_BYTES));
  return session;
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
