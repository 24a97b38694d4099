// Inbound HBONE (15008) of one pod: mTLS with the pod's own certificate, trust-domain check of the peer, then
// per CONNECT: the authority must be this pod and not a proxy port, L4 policy with the peer identity, connect
// to the app (client IP kept when the kernel allows), 200. Refusals: 400 bad request, 401 policy, 503 upstream.
// TLS, HTTP/2 and the tunnel's bytes run on the native data path (common/native hbone-session.cc).
import { errorMessage } from '@mesh/common/errors';
import { NativeHboneServer, formatBaggage, formatHostPort, streamEndError } from '@mesh/common/hbone';
import type { ConnInfo, HboneDecision, NativeHboneRequest, NativeTlsContext } from '@mesh/common/hbone';
import { listenInNetns } from '@mesh/common/net';
import { certIdentity, checkCertTrustDomain } from '@mesh/common/tls';
import { canonicalIpText } from '../state/ip-text.ts';
import type { ConnectionRecord } from '../telemetry/recorder.ts';
import { INPOD_MARK, connectToApp } from './app-connect.ts';
import type { Live, PodInfo, ProxyInputs } from './inputs.ts';
import { PROXY_PORTS } from './outbound-decision.ts';
import { resetSocket } from './pipe-sockets.ts';
import { authorize } from './policy-check.ts';
import { tlsContextOf } from './tls-contexts.ts';

interface StreamCtx {
  readonly record: ConnectionRecord;
  untrack: () => void;
  /** Cuts the connection: the upstream socket until the tunnel is joined, then the stream. */
  cut: () => void;
}

export class InboundHbone {
  readonly server: NativeHboneServer;
  readonly #inputs: ProxyInputs;
  readonly #pod: PodInfo;
  readonly #ctx = new WeakMap<NativeHboneRequest, StreamCtx>();

  private constructor(inputs: ProxyInputs, pod: PodInfo, live: Live) {
    this.#inputs = inputs;
    this.#pod = pod;
    const log = inputs.logger;
    this.server = NativeHboneServer.create({
      // Each connection takes the pod's current certificate; with none yet its handshake waits for it, as
      // ztunnel fetches an inbound certificate on demand. A renewed certificate serves new connections.
      tls: () => this.#tlsContext(),
      verifyPeer: (cert) => checkCertTrustDomain(cert, inputs.trustDomain),
      onConnect: (req) => this.#onConnect(req, live),
      onTunnelStart: (req, reset) => {
        const ctx = this.#ctx.get(req);
        if (ctx) ctx.cut = reset;
      },
      onTunnelEnd: (req, end) => {
        const ctx = this.#ctx.get(req);
        if (!ctx) return;
        ctx.untrack();
        // The stream's totals include what the app wrote before the tunnel was joined.
        ctx.record.end({ bytesSent: end.toApp, bytesRecv: end.fromApp, error: streamEndError(end) });
      },
      onReject: (err, conn) => this.#onReject(err, conn),
    });
    log.debug({ pod: pod.uid }, 'inbound HBONE created');
  }

  static async bind(inputs: ProxyInputs, pod: PodInfo, live: Live, port = 15008): Promise<InboundHbone> {
    const inbound = new InboundHbone(inputs, pod, live);
    await listenInNetns({ netnsFd: pod.netnsFd, host: '0.0.0.0', port, mark: INPOD_MARK, reusePort: true, server: inbound.server.server });
    return inbound;
  }

  async close(force: boolean): Promise<void> {
    await this.server.close({ force });
  }

  /** The TLS context of the pod's certificate; a wait for the certificate when there is none yet. */
  #tlsContext(): NativeTlsContext | Promise<NativeTlsContext> {
    const { certs } = this.#inputs;
    const current = certs.current(this.#pod.identity);
    if (current !== undefined) return tlsContextOf(current, 'server');
    return certs.get(this.#pod.identity).then((cert) => tlsContextOf(cert, 'server'));
  }

  async #onConnect(req: NativeHboneRequest, live: Live): Promise<HboneDecision> {
    const { state, network, telemetry, tracker, logger } = this.#inputs;
    const sock = req.conn;
    const localIp = canonicalIpText(sock.localAddress);
    const srcIp = canonicalIpText(sock.remoteAddress);
    const peer = certIdentity(req.peer);
    const dstWorkload = state.workloadByIp(network, localIp);
    const record = telemetry.start({
      reporter: 'destination',
      direction: 'inbound',
      srcAddr: formatHostPort(srcIp, sock.remotePort),
      dstAddr: formatHostPort(req.authority.host, req.authority.port),
      hboneAddr: formatHostPort(localIp, sock.localPort || 15008),
      srcWorkload: state.workloadByIp(network, srcIp),
      srcIdentity: peer?.toString(),
      dstWorkload,
      dstIdentity: this.#pod.identity,
      mtls: true,
    });
    const refuse = (status: number, flag: 'CONNECT' | 'DENY', reason: string): HboneDecision => {
      logger.warn({ pod: this.#pod.uid, src: srcIp, identity: peer?.toString(), authority: `${req.authority.host}:${req.authority.port}`, status, flag }, `inbound HBONE refused: ${reason}`);
      record.end({ bytesSent: 0, bytesRecv: 0, flag, error: `${reason} (HTTP ${status})` });
      return { status, reason };
    };
    if (req.authority.family === 0) return refuse(400, 'CONNECT', `authority ${req.authority.host} is not an IP address`);
    if (canonicalIpText(req.authority.host) !== localIp) {
      return refuse(400, 'CONNECT', `authority ${req.authority.host} is not this pod's address ${localIp}`);
    }
    if (PROXY_PORTS.has(req.authority.port)) return refuse(503, 'CONNECT', `port ${req.authority.port} is ztunnel's own (self-call)`);
    const conn = { srcIdentity: peer, srcIp, dstIp: localIp, dstPort: req.authority.port, dstNamespace: this.#pod.namespace };
    let decision;
    try {
      decision = authorize(state, conn, network);
    } catch (err) {
      return refuse(401, 'DENY', `policy evaluation failed: ${errorMessage(err)}`);
    }
    if (decision.decision === 'deny') return refuse(401, 'DENY', decision.reason);
    let upstream;
    try {
      upstream = (await connectToApp({ netnsFd: this.#pod.netnsFd, sourceIp: srcIp, host: localIp, port: req.authority.port })).socket;
    } catch (err) {
      return refuse(503, 'CONNECT', `connect to the app at ${formatHostPort(localIp, req.authority.port)} failed: ${errorMessage(err)}`);
    }
    live.add(upstream);
    upstream.once('close', () => live.delete(upstream));
    const ctx: StreamCtx = { record, untrack: () => {}, cut: () => resetSocket(upstream) };
    ctx.untrack = tracker.add(conn, (reason) => {
      logger.info({ pod: this.#pod.uid, src: srcIp, identity: peer?.toString() }, `closing connection: ${reason}`);
      ctx.cut();
    });
    this.#ctx.set(req, ctx);
    const w = dstWorkload;
    const baggage = w
      ? formatBaggage({ cluster: w.clusterId, namespace: w.namespace, workloadType: w.workloadType, workloadName: w.workloadName || w.name, canonicalName: w.canonicalName, canonicalRevision: w.canonicalRevision })
      : '';
    return { status: 200, upstream, responseHeaders: baggage ? { baggage } : {} };
  }

  #onReject(err: Error, conn: ConnInfo): void {
    const code = (err as { code?: string }).code ?? '';
    const flag = code.includes('TRUST_DOMAIN') || code.includes('IDENTITY') ? 'IDENTITY_ERROR' : code.startsWith('ERR_HBONE') && code !== 'ERR_HBONE_TLS' ? 'CONNECT' : 'TLS_FAILURE';
    const src = conn.remoteAddress ? formatHostPort(canonicalIpText(conn.remoteAddress), conn.remotePort) : 'unknown';
    this.#inputs.logger.warn({ pod: this.#pod.uid, src, flag, code }, `inbound HBONE connection refused: ${err.message}`);
    this.#inputs.telemetry
      .start({ reporter: 'destination', direction: 'inbound', srcAddr: src, dstAddr: conn.localAddress || 'unknown', mtls: true, dstIdentity: this.#pod.identity })
      .end({ bytesSent: 0, bytesRecv: 0, flag, error: err.message });
  }
}
