// HbonePool (pool.ts) for the native data path: client sessions pooled per key, up to N streams each, kept
// alive by PINGs and released when idle. A tunnel's bytes move in C++ once attach() joins it to the app socket.
import type { Socket } from 'node:net';
import { HboneError } from './hbone-error.ts';
import { startNativeKeepalive } from './native-keepalive.ts';
import { flatHeaders } from './native-session.ts';
import type { FlatHeaders, NativeHboneSession, NativeStreamEnd } from './native-session.ts';
import type { HboneConnectOptions, HbonePoolOptions } from './pool.ts';
import { SessionPool } from './session-pool.ts';

/** A connect through NativeHbonePool: its dial gives a session that is connected, TLS done and the server's
 * identity checked. */
export type NativeConnectOptions = HboneConnectOptions<NativeHboneSession>;

/** An answered CONNECT (200). Join it to the app socket with attach(); `ended` reports the bytes. */
export interface NativeTunnel {
  readonly responseHeaders: FlatHeaders;
  readonly ended: Promise<NativeStreamEnd>;
  attach(socket: Socket): Promise<NativeStreamEnd>;
  /** RST_STREAM(CANCEL); the app socket, if attached, is reset. */
  reset(): void;
}

export class NativeHbonePool {
  readonly #pool: SessionPool<NativeHboneSession>;

  constructor(opts: HbonePoolOptions = {}) {
    const keepalive = opts.keepalive;
    this.#pool = new SessionPool<NativeHboneSession>(
      {
        started: (session, retire) => {
          session.onGoaway = retire;
          void session.closed().then(retire);
          startNativeKeepalive(session, keepalive);
        },
        close: async (session, force) => {
          if (session.isClosed) return;
          if (force) session.destroy();
          else session.goaway();
          await session.closed();
        },
      },
      opts,
    );
  }

  /** Opens one tunnel; resolves once the peer answered 200, else rejects with ERR_HBONE_STATUS or ERR_HBONE_SESSION. */
  async connect(opts: NativeConnectOptions): Promise<NativeTunnel> {
    const { entry, session } = await this.#pool.acquire(opts.key, opts.dial);
    let answer;
    try {
      answer = await session.open(opts.authority, flatHeaders(opts.headers ?? {}));
    } catch (err) {
      this.#pool.retire(entry);
      this.#pool.release(entry);
      throw new HboneError('ERR_HBONE_SESSION', `CONNECT ${opts.authority} failed: ${(err as Error).message}`, { cause: err });
    }
    void answer.ended.then(() => this.#pool.release(entry));
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
    return this.#pool.stats();
  }

  /** Closes every session: gracefully (GOAWAY, open streams finish) or at once with `force`. */
  close(opts: { force?: boolean } = {}): Promise<void> {
    return this.#pool.close(opts);
  }
}
