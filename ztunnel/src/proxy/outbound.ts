// Outbound capture (15001) of one pod: original destination → route (outbound-decision.ts) → HBONE through
// the pod's own pool (mTLS with the pod's certificate, sockets made in the pod netns with mark 1337), plain
// TCP for non-mesh destinations, or passthrough. HBONE runs on the native data path: once the CONNECT is
// answered, the client socket is joined to its stream in C++ (common/native hbone-session.cc).
import type net from 'node:net';
import { errorMessage } from '@mesh/common/errors';
import { NativeHbonePool, NativeHboneSession, formatBaggage, formatForwarded, formatHostPort, newTraceparent, streamEndError } from '@mesh/common/hbone';
import { connectInNetns, listenInNetns, originalDst } from '@mesh/common/net';
import { serverIdentityCheck } from '@mesh/common/tls';
import { canonicalIpText } from '../state/ip-text.ts';
import type { Workload } from '../state/types.ts';
import type { ResponseFlag } from '../telemetry/labels.ts';
import { INPOD_MARK } from './app-connect.ts';
import type { Live, PodInfo, ProxyInputs } from './inputs.ts';
import { decideOutbound } from './outbound-decision.ts';
import type { OutboundRoute } from './outbound-decision.ts';
import { pipeSockets } from './pipe-sockets.ts';
import { tlsContextOf } from './tls-contexts.ts';

const CONNECT_TIMEOUT_MS = 10_000;

export class Outbound {
  readonly server: net.Server;
  readonly pool: NativeHbonePool;

  private constructor(server: net.Server, pool: NativeHbonePool) {
    this.server = server;
    this.pool = pool;
  }

  static async bind(inputs: ProxyInputs, pod: PodInfo, live: Live, port = 15001): Promise<Outbound> {
    const pool = new NativeHbonePool();
    const server = await listenInNetns({ netnsFd: pod.netnsFd, host: '0.0.0.0', port, mark: INPOD_MARK, reusePort: true, serverOptions: { allowHalfOpen: true, noDelay: true } });
    const out = new Outbound(server, pool);
    server.on('connection', (sock: net.Socket) => {
      live.add(sock);
      sock.once('close', () => live.delete(sock));
      out.#handle(inputs, pod, live, sock).catch((err: unknown) => {
        inputs.logger.error({ pod: pod.uid }, `outbound connection failed: ${errorMessage(err)}`);
        sock.destroy();
      });
    });
    return out;
  }

  async close(force: boolean): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.pool.close({ force });
    await closed;
  }

  async #handle(inputs: ProxyInputs, pod: PodInfo, live: Live, sock: net.Socket): Promise<void> {
    const { state, network, telemetry, logger } = inputs;
    sock.on('error', () => {});
    let dst: { address: string; port: number };
    try {
      dst = originalDst(sock);
    } catch (err) {
      logger.warn({ pod: pod.uid }, `outbound: no original destination: ${errorMessage(err)}`);
      sock.destroy();
      return;
    }
    const dstIp = canonicalIpText(dst.address);
    const srcIp = canonicalIpText(sock.remoteAddress ?? '');
    const source = state.workloadByIp(network, srcIp);
    const route = decideOutbound(state, { source, network, dstIp, dstPort: dst.port });
    const record = telemetry.start({
      reporter: 'source',
      direction: 'outbound',
      srcAddr: formatHostPort(srcIp, sock.remotePort ?? 0),
      dstAddr: formatHostPort(dstIp, dst.port),
      hboneAddr: route.kind === 'hbone' ? formatHostPort(route.dialIp, route.dialPort) : undefined,
      srcWorkload: source,
      srcIdentity: pod.identity,
      dstWorkload: route.kind === 'hbone' || route.kind === 'tcp' ? route.dstWorkload : undefined,
      dstService: route.kind === 'hbone' || route.kind === 'tcp' ? route.dstService : undefined,
      dstIdentity: route.kind === 'hbone' ? route.expectedIdentities[0] : undefined,
      mtls: route.kind === 'hbone',
    });
    const fail = (flag: ResponseFlag, reason: string) => {
      logger.warn({ pod: pod.uid, src: srcIp, dst: formatHostPort(dstIp, dst.port), flag }, `outbound connection failed: ${reason}`);
      record.end({ bytesSent: 0, bytesRecv: 0, flag, error: reason });
      sock.destroy();
    };
    if (route.kind === 'refuse') return fail('CONNECT', route.reason);
    if (route.kind !== 'hbone') {
      let upstream: net.Socket;
      try {
        upstream = await connectInNetns({ netnsFd: pod.netnsFd, host: route.ip, port: route.port, mark: INPOD_MARK, allowHalfOpen: true, timeoutMs: CONNECT_TIMEOUT_MS });
      } catch (err) {
        return fail('CONNECT', `connect to ${formatHostPort(route.ip, route.port)} failed: ${errorMessage(err)}`);
      }
      live.add(upstream);
      upstream.once('close', () => live.delete(upstream));
      const r = await pipeSockets(sock, upstream);
      record.end({ bytesSent: r.sent, bytesRecv: r.received, error: r.error?.message });
      return;
    }
    let tunnel;
    try {
      tunnel = await this.pool.connect({
        key: poolKey(pod.identity, route, srcIp),
        dial: async () => {
          // Pool sessions are the pod's too: a forced drain cuts them with the rest.
          const s = await dialHbone(inputs, pod, route);
          live.add(s);
          void s.closed().then(() => live.delete(s));
          return s;
        },
        authority: route.authority,
        headers: hboneHeaders(source, srcIp, sock.remotePort ?? 0, route, inputs.clusterId),
      });
    } catch (err) {
      const status = (err as { status?: number }).status;
      const flag: ResponseFlag = status === 401 ? 'DENY' : /certificate|TLS|tls|SSL|identity/.test(errorMessage(err)) ? 'TLS_FAILURE' : 'CONNECT';
      return fail(flag, errorMessage(err));
    }
    if (sock.destroyed) {
      tunnel.reset();
      record.end({ bytesSent: 0, bytesRecv: 0, error: 'client went away' });
      return;
    }
    // The bytes the client sent while the tunnel was set up go first; the stream's totals include them.
    const end = await tunnel.attach(sock);
    record.end({ bytesSent: end.fromApp, bytesRecv: end.toApp, error: streamEndError(end) });
  }
}

/** Pool key: (source identity, expected identities, source IP, destination address). */
export function poolKey(srcIdentity: string, route: Extract<OutboundRoute, { kind: 'hbone' }>, srcIp: string): string {
  return [srcIdentity, [...route.expectedIdentities].sort().join(','), srcIp, formatHostPort(route.dialIp, route.dialPort)].join('|');
}

function hboneHeaders(source: Workload | undefined, srcIp: string, srcPort: number, route: Extract<OutboundRoute, { kind: 'hbone' }>, clusterId: string): Record<string, string> {
  const baggage = source
    ? formatBaggage({ cluster: source.clusterId || clusterId, namespace: source.namespace, workloadType: source.workloadType, workloadName: source.workloadName || source.name, canonicalName: source.canonicalName, canonicalRevision: source.canonicalRevision, region: source.region, zone: source.zone })
    : formatBaggage({ cluster: clusterId });
  return {
    baggage,
    forwarded: formatForwarded(srcIp, srcPort, route.dstService?.hostname),
    traceparent: newTraceparent(),
  };
}

/** A new mTLS session for the pool: TCP from inside the pod netns (mark 1337), native TLS with the pod's cert,
 * the server's SPIFFE identity checked against the route's expected identities. */
async function dialHbone(inputs: ProxyInputs, pod: PodInfo, route: Extract<OutboundRoute, { kind: 'hbone' }>): Promise<NativeHboneSession> {
  const cert = await inputs.certs.get(pod.identity);
  const checkServer = serverIdentityCheck(route.expectedIdentities);
  const where = formatHostPort(route.dialIp, route.dialPort);
  const tcp = await connectInNetns({ netnsFd: pod.netnsFd, host: route.dialIp, port: route.dialPort, mark: INPOD_MARK, timeoutMs: CONNECT_TIMEOUT_MS });
  const session = new NativeHboneSession(tcp, tlsContextOf(cert, 'client'));
  const timer = setTimeout(() => session.destroy(`TLS handshake with ${where} timed out`), CONNECT_TIMEOUT_MS);
  try {
    const err = checkServer(await session.handshake());
    if (err) {
      session.destroy(err.message);
      throw err;
    }
  } catch (err) {
    throw new Error(`TLS handshake with ${where} failed: ${errorMessage(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  return session;
}
