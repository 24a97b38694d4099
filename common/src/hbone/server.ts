import http2 from 'node:http2';
import type { ServerHttp2Stream, IncomingHttpHeaders, SecureServerOptions } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { connectAuthority } from './authority.ts';
import type { Authority } from './authority.ts';
import type { HboneError } from './hbone-error.ts';
import { startKeepalive } from './keepalive.ts';
import type { KeepaliveOptions } from './keepalive.ts';
import { HBONE_CONNECTION_WINDOW_BYTES, HBONE_SERVER_SETTINGS } from './settings.ts';
import { splice } from './splice.ts';
import type { SpliceResult } from './splice.ts';

/** One accepted CONNECT, as the inbound handler sees it. */
export interface HboneRequest {
  readonly authority: Authority;
  readonly headers: IncomingHttpHeaders;
  /** The TLS socket the session runs on (peer certificate, local address). */
  readonly tlsSocket: TLSSocket;
}

/** What the handler decides: refuse with a status, or accept with a connected upstream socket. */
export type HboneDecision =
  | { readonly status: 400 | 401 | 403 | 503 | number; readonly reason: string }
  | { readonly status: 200; readonly upstream: Socket; readonly responseHeaders?: Record<string, string> };

export interface HboneServerOptions {
  /** TLS options: key/cert of this identity, mesh roots, requestCert, ALPN h2, TLS 1.3 (see @mesh/common/tls). */
  readonly tls: SecureServerOptions;
  /**
   * Called after the TLS handshake, before any stream: throw or return an Error to refuse the connection
   * (the trust-domain check of the peer's SPIFFE identity goes here).
   */
  readonly verifyPeer?: (socket: TLSSocket) => Error | void;
  /** Decides each CONNECT: policy, then connect upstream. Runs per stream. */
  readonly onConnect: (req: HboneRequest) => Promise<HboneDecision>;
  /** Told when a tunnel ends (for metrics and the access log). */
  readonly onTunnelEnd?: (req: HboneRequest, result: SpliceResult) => void;
  /** Told about refused connections and streams (bad method, bad authority, peer verification). */
  readonly onReject?: (err: HboneError | Error, socket: TLSSocket | undefined) => void;
  readonly keepalive?: KeepaliveOptions;
}

/**
 * The HBONE server: HTTP/2 over mutual TLS; each CONNECT stream becomes one proxied TCP connection.
 * Answers 200 only once the handler accepted and the upstream is connected; 400 for a bad request.
 */
export class HboneServer {
  readonly server: http2.Http2SecureServer;
  private readonly opts: HboneServerOptions;
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  private constructor(opts: HboneServerOptions) {
    this.opts = opts;
    this.server = http2.createSecureServer({
      ...opts.tls,
      allowHTTP1: false,
      settings: HBONE_SERVER_SETTINGS,
      // TCP_NODELAY on every accepted connection, as Envoy and ztunnel set it: HTTP/2 frames go out when written.
      noDelay: true,
    });
    // Prepended so the check runs before http2 starts a session on the socket.
    this.server.prependListener('secureConnection', (socket: TLSSocket) => this.checkPeer(socket));
    this.server.on('session', (session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      session.on('error', () => {}); // session errors surface on its streams; keep the process alive
      session.once('connect', () => session.setLocalWindowSize(HBONE_CONNECTION_WINDOW_BYTES));
      startKeepalive(session, opts.keepalive);
    });
    this.server.on('stream', (stream, headers) => void this.handleStream(stream, headers));
  }

  /**
   * An unbound server, for callers that listen themselves, e.g. inside a pod's netns:
   * `listenInNetns({ netnsFd, host, port, server: s.server })`.
   */
  static create(opts: HboneServerOptions): HboneServer {
    return new HboneServer(opts);
  }

  /** Binds a listener: a port on a host, or an already-listening fd (a socket made inside a pod's netns). */
  static async bind(opts: HboneServerOptions & ({ host: string; port: number } | { fd: number })): Promise<HboneServer> {
    const s = new HboneServer(opts);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      const done = () => {
        s.server.off('error', reject);
        resolve();
      };
      if ('fd' in opts) s.server.listen({ fd: opts.fd }, done);
      else s.server.listen(opts.port, opts.host, done);
    });
    return s;
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /**
   * Stops accepting. Graceful (default): every session gets a GOAWAY and its open tunnels run to their end; the
   * promise resolves when the last one is done. `force`: open sessions are destroyed at once.
   */
  async close(opts: { force?: boolean } = {}): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) {
      if (opts.force) session.destroy();
      else session.close();
    }
    await closed;
  }

  /** Open HTTP/2 sessions (one per peer connection). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  private checkPeer(socket: TLSSocket): void {
    if (!this.opts.verifyPeer) return;
    let err: Error | void;
    try {
      err = this.opts.verifyPeer(socket);
    } catch (e) {
      err = e as Error;
    }
    if (err) {
      this.opts.onReject?.(err, socket);
      socket.destroy();
    }
  }

  private async handleStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
    stream.on('error', () => {});
    const tlsSocket = stream.session?.socket as TLSSocket | undefined;
    if (!tlsSocket) return;
    let authority: Authority;
    try {
      authority = connectAuthority(headers);
    } catch (err) {
      return this.refuse(stream, 400, err as HboneError, tlsSocket);
    }
    const req: HboneRequest = { authority, headers, tlsSocket };
    let decision: HboneDecision;
    try {
      decision = await this.opts.onConnect(req);
    } catch (err) {
      decision = { status: 503, reason: (err as Error).message };
    }
    if (!('upstream' in decision)) {
      if (!stream.destroyed) stream.respond({ ':status': decision.status }, { endStream: true });
      return;
    }
    const upstream = decision.upstream;
    if (stream.destroyed || stream.closed) {
      upstream.destroy();
      return;
    }
    stream.respond({ ':status': 200, ...decision.responseHeaders });
    const result = await splice(upstream, stream);
    this.opts.onTunnelEnd?.(req, result);
  }

  private refuse(stream: ServerHttp2Stream, status: number, err: HboneError, socket: TLSSocket): void {
    this.opts.onReject?.(err, socket);
    if (!stream.destroyed) stream.respond({ ':status': status }, { endStream: true });
  }
}
