// HboneServer (server.ts) for the native data path: accepts TCP, runs TLS and HTTP/2 natively, and asks the
// handler about each CONNECT (policy, upstream connect) before answering 200 and joining the stream to the
// upstream socket in C++. Refusals: 400 bad request, or whatever status the handler returns.
import type { X509Certificate } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { connectAuthority } from './authority.ts';
import type { Authority } from './authority.ts';
import type { HboneError } from './hbone-error.ts';
import type { KeepaliveOptions } from './keepalive.ts';
import { startNativeKeepalive } from './native-keepalive.ts';
import { NativeHboneSession, RST_CANCEL, flatHeaders, headerRecord } from './native-session.ts';
import type { FlatHeaders, NativeStreamEnd, NativeTlsContext } from './native-session.ts';
import type { HboneDecision } from './server.ts';
import { HBONE_SERVER_MAX_STREAMS } from './settings.ts';

/** The TCP connection a session runs on, as it was accepted. */
export interface ConnInfo {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** One accepted CONNECT. */
export interface NativeHboneRequest {
  readonly authority: Authority;
  readonly headers: Readonly<Record<string, string>>;
  /** The client's certificate (already chained to the roots and checked by verifyPeer). */
  readonly peer: X509Certificate | undefined;
  readonly conn: ConnInfo;
}

export interface NativeHboneServerOptions {
  /** The TLS context for a new connection; a promise holds the handshake until it settles (the server's
   * certificate fetched on demand). A rejection closes the connection and is reported to onReject. */
  readonly tls: () => NativeTlsContext | Promise<NativeTlsContext>;
  /** After the handshake, before any stream: return an Error to refuse the connection (trust-domain check). */
  readonly verifyPeer?: (cert: X509Certificate | undefined) => Error | undefined;
  /** Decides each CONNECT. */
  readonly onConnect: (req: NativeHboneRequest) => Promise<HboneDecision>;
  /** A tunnel was answered 200 and joined; `reset` cuts it (policy changed). */
  readonly onTunnelStart?: (req: NativeHboneRequest, reset: () => void) => void;
  /** A tunnel ended (for metrics and the access log). */
  readonly onTunnelEnd?: (req: NativeHboneRequest, end: NativeStreamEnd) => void;
  /** Refused connections and streams: TLS failures, peer verification, bad method or authority. */
  readonly onReject?: (err: Error, conn: ConnInfo) => void;
  readonly keepalive?: KeepaliveOptions;
  /** A connection whose handshake is not done by then is closed. Default 10 s. */
  readonly handshakeTimeoutMs?: number;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

export class NativeHboneServer {
  /** The listening socket: bind it yourself (e.g. in a pod netns) or use bind(). */
  readonly server: net.Server;
  readonly #opts: NativeHboneServerOptions;
  readonly #sessions = new Set<NativeHboneSession>();
  readonly #waiting = new Set<Socket>();
  #closing = false;

  private constructor(opts: NativeHboneServerOptions) {
    this.#opts = opts;
    // pauseOnConnect: Node must never read a byte of the connection; the session takes the socket over.
    this.server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => void this.#accept(socket));
  }

  static create(opts: NativeHboneServerOptions): NativeHboneServer {
    return new NativeHboneServer(opts);
  }

  static async bind(opts: NativeHboneServerOptions & { host: string; port: number }): Promise<NativeHboneServer> {
    const s = new NativeHboneServer(opts);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(opts.port, opts.host, () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    return s;
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Stops accepting. Graceful: each session gets a GOAWAY and its tunnels run to their end. `force`: cut now. */
  async close(opts: { force?: boolean } = {}): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.#waiting) socket.destroy();
    this.#waiting.clear();
    const ends = [...this.#sessions].map((s) => {
      if (opts.force) s.destroy();
      else s.goaway();
      return s.closed();
    });
    await Promise.all([closed, ...ends]);
  }

  async #accept(socket: Socket): Promise<void> {
    socket.on('error', () => {});
    const conn: ConnInfo = {
      localAddress: socket.localAddress ?? '',
      localPort: socket.localPort ?? 0,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
    };
    let ctx: NativeTlsContext;
    try {
      const pending = this.#opts.tls();
      if (pending instanceof Promise) {
        this.#waiting.add(socket);
        socket.once('close', () => this.#waiting.delete(socket));
        ctx = await pending;
        if (!this.#waiting.delete(socket) || socket.destroyed) return;
      } else {
        ctx = pending;
      }
    } catch (err) {
      this.#waiting.delete(socket);
      socket.destroy();
      this.#opts.onReject?.(err instanceof Error ? err : new Error(String(err)), conn);
      return;
    }
    if (this.#closing) {
      socket.destroy();
      return;
    }
    let session: NativeHboneSession;
    try {
      session = new NativeHboneSession(socket, ctx, { maxStreams: HBONE_SERVER_MAX_STREAMS });
    } catch (err) {
      socket.destroy();
      this.#opts.onReject?.(err as Error, conn);
      return;
    }
    this.#sessions.add(session);
    void session.closed().then(() => this.#sessions.delete(session));
    const timer = setTimeout(() => session.destroy('TLS handshake timed out'), this.#opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
    timer.unref();
    let peer: X509Certificate | undefined;
    try {
      peer = await session.handshake();
    } catch (err) {
      this.#opts.onReject?.(err as Error, conn);
      return;
    } finally {
      clearTimeout(timer);
    }
    const refused = this.#opts.verifyPeer?.(peer);
    if (refused) {
      session.destroy(refused.message);
      this.#opts.onReject?.(refused, conn);
      return;
    }
    session.onStream = (id, headers) => void this.#stream(session, id, headers, peer, conn);
    startNativeKeepalive(session, this.#opts.keepalive);
  }

  async #stream(session: NativeHboneSession, id: number, flat: FlatHeaders, peer: X509Certificate | undefined, conn: ConnInfo): Promise<void> {
    const headers = headerRecord(flat);
    const refuse = (status: number, err: HboneError) => {
      this.#opts.onReject?.(err, conn);
      if (session.hasStream(id)) void session.respond(id, status, false);
    };
    let authority: Authority;
    try {
      authority = connectAuthority(headers);
    } catch (err) {
      return refuse(400, err as HboneError);
    }
    const req: NativeHboneRequest = { authority, headers, peer, conn };
    let decision: HboneDecision;
    try {
      decision = await this.#opts.onConnect(req);
    } catch (err) {
      decision = { status: 503, reason: (err as Error).message };
    }
    if (!('upstream' in decision)) {
      if (session.hasStream(id)) void session.respond(id, decision.status, false);
      return;
    }
    const upstream = decision.upstream;
    if (!session.hasStream(id) || session.isClosed) {
      upstream.destroy();
      this.#opts.onTunnelEnd?.(req, { code: RST_CANCEL, fromApp: 0, toApp: 0 });
      return;
    }
    const ended = session.respond(id, 200, true, flatHeaders(decision.responseHeaders ?? {}));
    session.attach(id, upstream);
    this.#opts.onTunnelStart?.(req, () => session.reset(id));
    this.#opts.onTunnelEnd?.(req, await ended);
  }
}
