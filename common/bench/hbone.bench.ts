// Benchmark (not a test): one bulk transfer and many short request/response exchanges, first straight to a
// loopback TCP server (the baseline), then through an HBONE tunnel (our pooled client -> our server -> the same
// TCP server) on node:http2 and on the native data path, all in this one process, measured in the same run.
// Prints absolute figures and the ratios to the baseline. Run: npm run bench -- hbone
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { CertificateAuthority } from '@mesh/common/ca';
import { createCsr, hboneClientOptions, hboneServerOptions } from '@mesh/common/tls';
import type { MtlsMaterial } from '@mesh/common/tls';
import { HbonePool, HboneServer, NativeHbonePool, NativeHboneServer, NativeHboneSession, nativeTlsContext } from '@mesh/common/hbone';

const BULK_BYTES = 256 * 1024 * 1024;
const RR_EXCHANGES = 5_000;
const RR_CONCURRENCY = 50;
const TD = 'cluster.local';

async function issue(ca: CertificateAuthority, id: string): Promise<MtlsMaterial> {
  const csr = await createCsr(id);
  return { keyPem: csr.keyPem, certChain: await ca.sign(csr.csrPem), roots: ca.rootCertPem };
}

/** Sink for bulk (counts bytes, answers the count at EOF) and echo for request/response. */
function startApp(): Promise<net.Server> {
  const s = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.once('data', (first: Buffer) => {
      if (first[0] === 0x42 /* 'B'ulk */) {
        let n = first.length;
        sock.on('data', (c: Buffer) => (n += c.length));
        sock.on('end', () => sock.end(String(n)));
      } else {
        sock.write(first);
        sock.pipe(sock);
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

type Opener = () => Promise<Duplex>;

async function bulk(open: Opener): Promise<number> {
  const conn = await open();
  const chunk = Buffer.alloc(256 * 1024, 0x42);
  const start = process.hrtime.bigint();
  let sent = 0;
  const reply: Buffer[] = [];
  conn.on('data', (c: Buffer) => reply.push(c));
  while (sent < BULK_BYTES) {
    sent += chunk.length;
    if (!conn.write(chunk)) await once(conn, 'drain');
  }
  conn.end();
  await once(conn, 'end');
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  if (Number(Buffer.concat(reply).toString()) !== sent) throw new Error('bulk: byte count mismatch');
  return sent / secs / 1e6;
}

/** Request/response exchanges, each on a new connection (tunnel), RR_CONCURRENCY at a time. */
async function newConnRate(open: Opener): Promise<number> {
  const start = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < RR_EXCHANGES) {
      next++;
      const conn = await open();
      conn.end('ping');
      const chunks: Buffer[] = [];
      conn.on('data', (c: Buffer) => chunks.push(c));
      await once(conn, 'end');
      if (Buffer.concat(chunks).toString() !== 'ping') throw new Error('rr: bad echo');
      conn.destroy();
    }
  };
  await Promise.all(Array.from({ length: RR_CONCURRENCY }, worker));
  return RR_EXCHANGES / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function main(): Promise<void> {
  const ca = await CertificateAuthority.generate({ trustDomain: TD });
  const client = await issue(ca, `spiffe://${TD}/ns/default/sa/client`);
  const server = await issue(ca, `spiffe://${TD}/ns/default/sa/server`);
  const app = await startApp();
  const appPort = (app.address() as net.AddressInfo).port;
  const hbone = await HboneServer.bind({
    host: '127.0.0.1',
    port: 0,
    tls: hboneServerOptions(server),
    onConnect: async () => {
      const up = net.connect({ host: '127.0.0.1', port: appPort, allowHalfOpen: true });
      await once(up, 'connect');
      return { status: 200, upstream: up };
    },
  });
  const pool = new HbonePool();
  const dial = () =>
    new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port: hbone.address().port,
        ...hboneClientOptions(client, { expectedIdentities: [`spiffe://${TD}/ns/default/sa/server`] }),
      });
      s.once('secureConnect', () => resolve(s));
      s.once('error', reject);
    });
  const direct: Opener = async () => {
    const s = net.connect({ host: '127.0.0.1', port: appPort, allowHalfOpen: true });
    await once(s, 'connect');
    return s;
  };
  const tunnel: Opener = async () => (await pool.connect({ key: 'bench', dial, authority: `127.0.0.1:${appPort}` })).stream;

  // The native path: the same legs, with each tunnel joined to the proxy's end of a loopback pair.
  const nativeServer = await NativeHboneServer.bind({
    host: '127.0.0.1',
    port: 0,
    tls: () => nativeServerCtx,
    onConnect: async () => {
      const up = net.connect({ host: '127.0.0.1', port: appPort, allowHalfOpen: true });
      await once(up, 'connect');
      return { status: 200, upstream: up };
    },
  });
  const nativeServerCtx = nativeTlsContext(server, 'server');
  const nativeClientCtx = nativeTlsContext(client, 'client');
  const nativePool = new NativeHbonePool();
  const nativeDial = async () => {
    const tcp = net.connect({ host: '127.0.0.1', port: nativeServer.address().port });
    await once(tcp, 'connect');
    const session = new NativeHboneSession(tcp, nativeClientCtx);
    await session.handshake();
    return session;
  };
  // Loopback pairs: each accepted socket goes to the opener whose client port it is connected from.
  const waiting = new Map<number, (s: net.Socket) => void>();
  const early = new Map<number, net.Socket>();
  const pairs = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (s) => {
    const take = waiting.get(s.remotePort ?? 0);
    if (take) take(s);
    else early.set(s.remotePort ?? 0, s);
  });
  await new Promise<void>((resolve) => pairs.listen(0, '127.0.0.1', resolve));
  const native: Opener = async () => {
    const t = await nativePool.connect({ key: 'bench', dial: nativeDial, authority: `127.0.0.1:${appPort}` });
    const appSide = net.connect({ host: '127.0.0.1', port: (pairs.address() as net.AddressInfo).port, allowHalfOpen: true });
    await once(appSide, 'connect');
    const port = appSide.localPort ?? 0;
    const proxySide = early.get(port) ?? (await new Promise<net.Socket>((resolve) => waiting.set(port, resolve)));
    early.delete(port);
    waiting.delete(port);
    void t.attach(proxySide);
    return appSide;
  };

  const results = {
    bulk_mbps: { direct: await bulk(direct), hbone: await bulk(tunnel), native: await bulk(native) },
    new_conn_per_s: { direct: await newConnRate(direct), hbone: await newConnRate(tunnel), native: await newConnRate(native) },
  };
  for (const [name, r] of Object.entries(results)) {
    const f = (v: number) => v.toFixed(1).padStart(9);
    console.log(`${name.padEnd(16)} direct ${f(r.direct)}   hbone ${f(r.hbone)} (${(r.hbone / r.direct).toFixed(2)}x)   native ${f(r.native)} (${(r.native / r.direct).toFixed(2)}x)`);
  }
  console.log(JSON.stringify(results));
  await pool.close({ force: true });
  await nativePool.close({ force: true });
  await hbone.close({ force: true });
  await nativeServer.close({ force: true });
  pairs.close();
  app.close();
}

await main();
