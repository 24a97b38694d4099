// Inbound plaintext (15006) of one pod: non-HBONE TCP redirected by the in-pod rules. Policy runs with no
// peer identity (so PeerAuthentication STRICT denies it), then the bytes go to the app, source IP kept.
import type net from 'node:net';
import { errorMessage } from '@mesh/common/errors';
import { formatHostPort } from '@mesh/common/hbone';
import { listenInNetns, originalDst } from '@mesh/common/net';
import { canonicalIpText } from '../state/ip-text.ts';
import { INPOD_MARK, connectToApp } from './app-connect.ts';
import type { Live, PodInfo, ProxyInputs } from './inputs.ts';
import { PROXY_PORTS } from './outbound-decision.ts';
import { pipeSockets, resetSocket } from './pipe-sockets.ts';
import { authorize } from './policy-check.ts';

export class InboundPlaintext {
  readonly server: net.Server;

  private constructor(server: net.Server) {
    this.server = server;
  }

  static async bind(inputs: ProxyInputs, pod: PodInfo, live: Live, port = 15006): Promise<InboundPlaintext> {
    const server = await listenInNetns({ netnsFd: pod.netnsFd, host: '0.0.0.0', port, mark: INPOD_MARK, reusePort: true, serverOptions: { allowHalfOpen: true, noDelay: true } });
    server.on('connection', (sock: net.Socket) => {
      live.add(sock);
      sock.once('close', () => live.delete(sock));
      handle(inputs, pod, live, sock).catch((err: unknown) => {
        inputs.logger.error({ pod: pod.uid }, `inbound plaintext connection failed: ${errorMessage(err)}`);
        sock.destroy();
      });
    });
    return new InboundPlaintext(server);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function handle(inputs: ProxyInputs, pod: PodInfo, live: Live, sock: net.Socket): Promise<void> {
  const { state, network, telemetry, tracker, logger } = inputs;
  sock.on('error', () => {});
  let dst: { address: string; port: number };
  try {
    dst = originalDst(sock, { fallbackToLocal: true });
  } catch (err) {
    logger.warn({ pod: pod.uid }, `inbound plaintext: no original destination: ${errorMessage(err)}`);
    sock.destroy();
    return;
  }
  const dstIp = canonicalIpText(dst.address);
  const srcIp = canonicalIpText(sock.remoteAddress ?? '');
  const dstWorkload = state.workloadByIp(network, dstIp);
  const record = telemetry.start({
    reporter: 'destination',
    direction: 'inbound',
    srcAddr: formatHostPort(srcIp, sock.remotePort ?? 0),
    dstAddr: formatHostPort(dstIp, dst.port),
    srcWorkload: state.workloadByIp(network, srcIp),
    dstWorkload,
    dstIdentity: pod.identity,
    mtls: false,
  });
  const refuse = (flag: 'CONNECT' | 'DENY', reason: string) => {
    logger.warn({ pod: pod.uid, src: srcIp, dst: formatHostPort(dstIp, dst.port), flag }, `inbound plaintext refused: ${reason}`);
    record.end({ bytesSent: 0, bytesRecv: 0, flag, error: reason });
    sock.destroy();
  };
  if (PROXY_PORTS.has(dst.port)) return refuse('CONNECT', `port ${dst.port} is ztunnel's own (self-call)`);
  const conn = { srcIdentity: undefined, srcIp, dstIp, dstPort: dst.port, dstNamespace: pod.namespace };
  let decision;
  try {
    decision = authorize(state, conn, network);
  } catch (err) {
    return refuse('DENY', `policy evaluation failed: ${errorMessage(err)}`);
  }
  if (decision.decision === 'deny') return refuse('DENY', decision.reason);
  let upstream: net.Socket;
  try {
    upstream = (await connectToApp({ netnsFd: pod.netnsFd, sourceIp: srcIp, host: dstIp, port: dst.port })).socket;
  } catch (err) {
    return refuse('CONNECT', `connect to the app failed: ${errorMessage(err)}`);
  }
  if (sock.destroyed) {
    upstream.destroy();
    record.end({ bytesSent: 0, bytesRecv: 0, error: 'client went away' });
    return;
  }
  live.add(upstream);
  upstream.once('close', () => live.delete(upstream));
  const untrack = tracker.add(conn, (reason) => {
    logger.info({ pod: pod.uid, src: srcIp }, `closing connection: ${reason}`);
    resetSocket(upstream);
  });
  const result = await pipeSockets(sock, upstream);
  untrack();
  record.end({ bytesSent: result.sent, bytesRecv: result.received, error: result.error?.message });
}
