// Inbound HBONE (15008) of one pod: mTLS with the pod's own certificate, trust-domain check of the peer, then
// per CONNECT: the authority must be this pod and not a proxy port, L4 policy with the peer identity, connect
// to the app (client IP kept when the kernel allows), 200. Refusals: 400 bad request, 401 policy, 503 upstream.
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { errorMessage } from '@mesh/common/errors';
import { HboneServer, formatBaggage, formatHostPort } from '@mesh/common/hbone';
import type { HboneDecision, HboneRequest } from '@mesh/common/hbone';
import { listenInNetns } from '@mesh/common/net';
import { HBONE_ALPN, HBONE_CIPHERS, HBONE_ECDH_CURVES, checkClientTrustDomain, hboneServerOptions, peerIdentity } from '@mesh/common/tls';
import type { WorkloadCert } from '../identity/cert-manager.ts';
import { canonicalIpText } from '../state/ip-text.ts';
import type { ConnectionRecord } from '../telemetry/recorder.ts';
import { INPOD_MARK, connectToApp } from './app-connect.ts';
import type { Live, PodInfo, ProxyInputs } from './inputs.ts';
import { PROXY_PORTS } from './outbound-decision.ts';
import { resetSocket } from './pipe-sockets.ts';
import { authorize } from './policy-check.ts';

const peers = new WeakMap<TLSSocket, ReturnType<typeof peerIdentity>>();

/** The peer's SPIFFE identity, parsed once per TLS connection rather than per stream. */
function peerOf(sock: TLSSocket): ReturnType<typeof peerIdentity> {
  if (!peers.has(sock)) peers.set(sock, peerIdentity(sock));
  return peers.get(sock);
}

interface StreamCtx {
  readonly record: ConnectionRecord;
  readonly upstream: net.Socket;
  readonly untrack: () => void;
}

export class InboundHbone {
  readonly server: HboneServer;
  readonly #inputs: ProxyInputs;
  readonly #pod: PodInfo;
  readonly #ctx = new WeakMap<HboneRequest, StreamCtx>();
  readonly #stopRotate: () => void;
  /** The certificate the server's TLS context holds. */
  #cert: WorkloadCert | undefined;

  private constructor(inputs: ProxyInputs, pod: PodInfo, live: Live) {
    this.#inputs = inputs;
    this.#pod = pod;
    const log = inputs.logger;
    this.server = HboneServer.create({
      // No certificate in the context yet: each connection waits for the pod's certificate before its
      // handshake (beforeHandshake), as ztunnel fetches an inbound certificate on demand.
      tls: { requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3', ciphers: HBONE_CIPHERS, ecdhCurve: HBONE_ECDH_CURVES, ALPNProtocols: [...HBONE_ALPN] },
      verifyPeer: (socket) => checkClientTrustDomain(socket, inputs.trustDomain),
      onConnect: (req) => this.#onConnect(req, live),
      onTunnelEnd: (req, result) => {
        const ctx = this.#ctx.get(req);
        if (!ctx) return;
        ctx.untrack();
        // Socket totals: the app may have written before the tunnel was joined.
        ctx.record.end({ bytesSent: ctx.upstream.bytesWritten, bytesRecv: ctx.upstream.bytesRead, error: result.error?.message });
      },
      onReject: (err, socket) => this.#onReject(err, socket),
      beforeHandshake: () => this.#certReady(),
      onHandshakeAbandoned: (err, socket) => this.#onReject(err, socket),
    });
    this.server.server.on('tlsClientError', (err: Error, socket: TLSSocket) => this.#onReject(err, socket));
    const current = inputs.certs.current(pod.identity);
    if (current) this.#useCert(current);
    this.#stopRotate = inputs.certs.onRotate((cert) => {
      if (cert.identity === pod.identity) this.#useCert(cert);
    });
    log.debug({ pod: pod.uid }, 'inbound HBONE created');
  }

  static async bind(inputs: ProxyInputs, pod: PodInfo, live: Live, port = 15008): Promise<InboundHbone> {
    const inbound = new InboundHbone(inputs, pod, live);
    await listenInNetns({ netnsFd: pod.netnsFd, host: '0.0.0.0', port, mark: INPOD_MARK, reusePort: true, server: inbound.server.server });
    return inbound;
  }

  async close(force: boolean): Promise<void> {
    this.#stopRotate();
    await this.server.close({ force });
  }

  /** Undefined when the server has the pod's certificate; else a wait for it (the cert manager's bound). */
  #certReady(): Promise<void> | undefined {
    const { certs } = this.#inputs;
    const current = certs.current(this.#pod.identity);
    if (current === undefined) return certs.get(this.#pod.identity).then((cert) => this.#useCert(cert));
    this.#useCert(current); // a no-op unless a renewal's listener has not run yet
    return undefined;
  }

  #useCert(cert: WorkloadCert): void {
    if (cert === this.#cert) return;
    this.#cert = cert;
    try {
      this.server.server.setSecureContext(hboneServerOptions({ keyPem: cert.keyPem, certChain: cert.certChain, roots: cert.roots }));
    } catch (err) {
      this.#inputs.logger.error({ pod: this.#pod.uid, identity: cert.identity }, `cannot use certificate: ${errorMessage(err)}`);
    }
  }

  async #onConnect(req: HboneRequest, live: Live): Promise<HboneDecision> {
    const { state, network, telemetry, tracker, logger } = this.#inputs;
    const sock = req.tlsSocket;
    const localIp = canonicalIpText(sock.localAddress ?? '');
    const srcIp = canonicalIpText(sock.remoteAddress ?? '');
    const peer = peerOf(sock);
    const dstWorkload = state.workloadByIp(network, localIp);
    const record = telemetry.start({
      reporter: 'destination',
      direction: 'inbound',
      srcAddr: formatHostPort(srcIp, sock.remotePort ?? 0),
      dstAddr: formatHostPort(req.authority.host, req.authority.port),
      hboneAddr: formatHostPort(localIp, sock.localPort ?? 15008),
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
    const untrack = tracker.add(conn, (reason) => {
      logger.info({ pod: this.#pod.uid, src: srcIp, identity: peer?.toString() }, `closing connection: ${reason}`);
      resetSocket(upstream);
    });
    this.#ctx.set(req, { record, upstream, untrack });
    const w = dstWorkload;
    const baggage = w
      ? formatBaggage({ cluster: w.clusterId, namespace: w.namespace, workloadType: w.workloadType, workloadName: w.workloadName || w.name, canonicalName: w.canonicalName, canonicalRevision: w.canonicalRevision })
      : '';
    return { status: 200, upstream, responseHeaders: baggage ? { baggage } : {} };
  }

  #onReject(err: Error, socket: net.Socket | undefined): void {
    const code = (err as { code?: string }).code ?? '';
    const flag = code.includes('TRUST_DOMAIN') || code.includes('IDENTITY') ? 'IDENTITY_ERROR' : code.startsWith('ERR_HBONE') ? 'CONNECT' : 'TLS_FAILURE';
    const src = socket?.remoteAddress ? formatHostPort(canonicalIpText(socket.remoteAddress), socket.remotePort ?? 0) : 'unknown';
    this.#inputs.logger.warn({ pod: this.#pod.uid, src, flag, code }, `inbound HBONE connection refused: ${err.message}`);
    this.#inputs.telemetry
      .start({ reporter: 'destination', direction: 'inbound', srcAddr: src, dstAddr: socket?.localAddress ?? 'unknown', mtls: true, dstIdentity: this.#pod.identity })
      .end({ bytesSent: 0, bytesRecv: 0, flag, error: err.message });
  }
}
