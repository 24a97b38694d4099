// BENCH-ONLY stand-in for a ztunnel pair (not ztunnel/src/main.ts): a process that is either the client half
// (plain TCP listener -> pooled HBONE CONNECT to the server half, authority = the app) or the server half
// (HBONE listener -> TCP to the :authority), built on @mesh/common/hbone and @mesh/common/tls exactly as
// ztunnel's outbound and inbound legs use them, minus the workload lookup, policy and telemetry.
// Env: ROLE=client|server, LISTEN_PORT, CERT_FILE, KEY_FILE, ROOT_FILE, PEER_PORT + AUTHORITY (client),
// EXPECTED_ID (client). Prints {"port":N} once listening.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { HbonePool, HboneServer, NativeHboneSession, headerValue, nativeTlsContext, splice } from '@mesh/common/hbone';
import { checkClientTrustDomain, hboneClientOptions, hboneServerOptions } from '@mesh/common/tls';
import type { MtlsMaterial } from '@mesh/common/tls';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`${name} is required`);
  return v;
};
const material: MtlsMaterial = {
  keyPem: readFileSync(env('KEY_FILE'), 'utf8'),
  certChain: readFileSync(env('CERT_FILE'), 'utf8'),
  roots: readFileSync(env('ROOT_FILE'), 'utf8'),
};
const listenPort = Number(process.env.LISTEN_PORT ?? 0);
const ready = (port: number): void => void process.stdout.write(`${JSON.stringify({ port })}\n`);
let stop: () => Promise<void>;

// The native data path, as ztunnel uses it; HBONE_NATIVE=0 measures the node:http2 one instead.
const nativePath = process.env.HBONE_NATIVE !== '0';

if (nativePath && env('ROLE') === 'server') {
  // The native data path (common/native hbone-session.cc) on both legs.
  const ctx = nativeTlsContext(material, 'server');
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (sock) => {
    const session = new NativeHboneSession(sock, ctx);
    session.handshake().catch(() => {});
    session.onStream = (id, headers) => {
      const [host, port] = (headerValue(headers, ':authority') ?? '').split(':');
      const up = net.connect({ host, port: Number(port), allowHalfOpen: true, noDelay: true });
      up.once('error', () => void session.respond(id, 503, false));
      up.once('connect', () => {
        void session.respond(id, 200, true);
        void session.attach(id, up);
      });
    };
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: listenPort, backlog: 4096 }, resolve));
  ready((server.address() as net.AddressInfo).port);
  stop = async () => void server.close();
} else if (nativePath) {
  const ctx = nativeTlsContext(material, 'client');
  let session: Promise<NativeHboneSession> | undefined;
  const open = () => {
    session ??= new Promise<NativeHboneSession>((resolve, reject) => {
      const tcp = net.connect({ host: '127.0.0.1', port: Number(env('PEER_PORT')), noDelay: true });
      tcp.once('error', reject);
      tcp.once('connect', () => {
        const s = new NativeHboneSession(tcp, ctx);
        s.handshake().then(() => resolve(s), reject);
      });
    });
    return session;
  };
  const listener = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (sock) => {
    sock.on('error', () => {});
    open()
      .then(async (s) => {
        const stream = await s.open(env('AUTHORITY'));
        if (stream.status !== 200) throw new Error(`status ${stream.status}`);
        return s.attach(stream.id, sock);
      })
      .catch(() => sock.resetAndDestroy());
  });
  await new Promise<void>((resolve) => listener.listen({ host: '127.0.0.1', port: listenPort, backlog: 4096 }, resolve));
  ready((listener.address() as net.AddressInfo).port);
  stop = async () => void listener.close();
} else if (env('ROLE') === 'server') {
  const server = await HboneServer.bind({
    host: '127.0.0.1',
    port: listenPort,
    tls: hboneServerOptions(material),
    verifyPeer: (s) => checkClientTrustDomain(s, 'cluster.local'),
    onConnect: async (req) => {
      const { host, port } = req.authority;
      const up = net.connect({ host, port, allowHalfOpen: true, noDelay: true });
      try {
        await new Promise<void>((resolve, reject) => {
          up.once('connect', resolve);
          up.once('error', reject);
        });
      } catch (err) {
        return { status: 503, reason: (err as Error).message };
      }
      return { status: 200, upstream: up };
    },
  });
  ready(server.address().port);
  stop = () => server.close({ force: true });
} else {
  const peerPort = Number(env('PEER_PORT'));
  const authority = env('AUTHORITY');
  const clientOpts = hboneClientOptions(material, { expectedIdentities: [env('EXPECTED_ID')] });
  const pool = new HbonePool();
  const dial = () =>
    new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: peerPort, ...clientOpts });
      s.once('secureConnect', () => resolve(s));
      s.once('error', reject);
    });
  const listener = net.createServer({ allowHalfOpen: true, noDelay: true }, (sock) => {
    sock.on('error', () => {});
    sock.pause();
    pool.connect({ key: 'bench', dial, authority }).then(
      (t) => void splice(sock, t.stream),
      () => sock.resetAndDestroy(),
    );
  });
  await new Promise<void>((resolve) => listener.listen({ host: '127.0.0.1', port: listenPort, backlog: 4096 }, resolve));
  ready((listener.address() as net.AddressInfo).port);
  stop = async () => {
    listener.close();
    await pool.close({ force: true });
  };
}

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => void stop().finally(() => process.exit(0)));
}
