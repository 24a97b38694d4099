import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { CertificateAuthority } from '../ca/index.ts';
import { CLIENT_ID, SERVER_ID, TD, appPair, issueMaterial } from './hbone.test-util.ts';
import { certIdentity, checkCertTrustDomain, serverIdentityCheck } from '../tls/index.ts';
import type { MtlsMaterial } from '../tls/index.ts';
import { hasCode } from '../errors.ts';
import { waitUntil } from '../testing/index.ts';
import { NativeHbonePool } from './native-pool.ts';
import { NativeHboneServer } from './native-server.ts';
import type { NativeHboneRequest } from './native-server.ts';
import { NativeHboneSession, nativeTlsContext } from './native-session.ts';

let ca: CertificateAuthority;
let clientMat: MtlsMaterial;
let echo: net.Server;
let echoPort: number;
let server: NativeHboneServer;
const requests: NativeHboneRequest[] = [];
const rejected: string[] = [];

before(async () => {
  ca = await CertificateAuthority.generate({ trustDomain: TD });
  clientMat = await issueMaterial(ca, CLIENT_ID);
  const serverCtx = nativeTlsContext(await issueMaterial(ca, SERVER_ID), 'server');
  echo = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.pipe(sock);
    sock.on('error', () => {});
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as net.AddressInfo).port;
  server = await NativeHboneServer.bind({
    host: '127.0.0.1',
    port: 0,
    // The first connection waits for its certificate, as a pod's first inbound connection does.
    tls: () => new Promise((resolve) => setImmediate(() => resolve(serverCtx))),
    verifyPeer: (cert) => checkCertTrustDomain(cert, TD),
    onReject: (err) => rejected.push((err as { code?: string }).code ?? err.message),
    onConnect: async (req) => {
      requests.push(req);
      if (req.authority.port !== echoPort) return { status: 401, reason: 'policy' };
      const up = net.connect({ host: '127.0.0.1', port: echoPort, allowHalfOpen: true });
      await once(up, 'connect');
      return { status: 200, upstream: up, responseHeaders: { baggage: 'k8s.namespace.name=default' } };
    },
  });
});

after(async () => {
  await server.close({ force: true });
  echo.close();
});

const dial = async (): Promise<NativeHboneSession> => {
  const tcp = net.connect({ host: '127.0.0.1', port: server.address().port });
  await once(tcp, 'connect');
  const session = new NativeHboneSession(tcp, nativeTlsContext(clientMat, 'client'));
  const err = serverIdentityCheck([SERVER_ID])(await session.handshake());
  if (err) throw err;
  return session;
};

async function roundTrip(pool: NativeHbonePool, text: string): Promise<string> {
  const tunnel = await pool.connect({ key: 'k', dial, authority: `127.0.0.1:${echoPort}`, headers: { forwarded: 'for="10.0.0.5:4321"' } });
  const { app, proxySide } = await appPair();
  const ended = tunnel.attach(proxySide);
  const chunks: Buffer[] = [];
  app.on('data', (c: Buffer) => chunks.push(c));
  app.end(text);
  await once(app, 'end');
  assert.equal((await ended).code, 0);
  return Buffer.concat(chunks).toString();
}

test('a pool runs many tunnels over one session; the server sees the client identity and headers', async () => {
  const pool = new NativeHbonePool();
  try {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => roundTrip(pool, `hello ${i}`)));
    assert.deepEqual(answers, Array.from({ length: 30 }, (_, i) => `hello ${i}`));
    assert.equal(pool.stats().sessions, 1);
    assert.equal(server.sessionCount, 1);
    const last = requests.at(-1)!;
    assert.equal(certIdentity(last.peer)?.toString(), CLIENT_ID);
    assert.equal(last.headers['forwarded'], 'for="10.0.0.5:4321"');
    assert.equal(last.conn.localAddress, '127.0.0.1');
  } finally {
    await pool.close();
  }
});

test('a refused CONNECT is ERR_HBONE_STATUS with the status, and the session stays usable', async () => {
  const pool = new NativeHbonePool();
  try {
    await assert.rejects(pool.connect({ key: 'k', dial, authority: '127.0.0.1:1' }), (err: Error & { status?: number }) => hasCode(err, 'ERR_HBONE_STATUS') && err.status === 401);
    assert.equal(await roundTrip(pool, 'still fine'), 'still fine');
  } finally {
    await pool.close();
  }
});

test('a server that is not the expected identity fails the dial with a clear error', async () => {
  const pool = new NativeHbonePool();
  const wrongDial = async () => {
    const tcp = net.connect({ host: '127.0.0.1', port: server.address().port });
    await once(tcp, 'connect');
    const session = new NativeHboneSession(tcp, nativeTlsContext(clientMat, 'client'));
    const err = serverIdentityCheck(['spiffe://cluster.local/ns/other/sa/x'])(await session.handshake());
    if (err) {
      session.destroy(err.message);
      throw err;
    }
    return session;
  };
  try {
    await assert.rejects(pool.connect({ key: 'other', dial: wrongDial, authority: `127.0.0.1:${echoPort}` }), /server identity mismatch/);
  } finally {
    await pool.close({ force: true });
  }
});

test('a graceful server close lets an open tunnel finish, then the session ends', async () => {
  const other = await NativeHboneServer.bind({
    host: '127.0.0.1',
    port: 0,
    tls: () => nativeTlsContext(clientMat, 'server'),
    onConnect: async () => {
      const up = net.connect({ host: '127.0.0.1', port: echoPort, allowHalfOpen: true });
      await once(up, 'connect');
      return { status: 200, upstream: up };
    },
  });
  const tcp = net.connect({ host: '127.0.0.1', port: other.address().port });
  await once(tcp, 'connect');
  const session = new NativeHboneSession(tcp, nativeTlsContext(clientMat, 'client'));
  await session.handshake();
  const stream = await session.open(`127.0.0.1:${echoPort}`);
  const { app, proxySide } = await appPair();
  const ended = session.attach(stream.id, proxySide);
  app.write('before close ');
  await once(app, 'data');
  const closed = other.close();
  const chunks: Buffer[] = [];
  app.on('data', (c: Buffer) => chunks.push(c));
  app.end('after close');
  await once(app, 'end');
  assert.equal(Buffer.concat(chunks).toString(), 'after close');
  assert.equal((await ended).code, 0);
  await closed;
  assert.equal(await session.closed(), '');
  assert.ok(!rejected.includes('ERR_HBONE_TLS'), rejected.join());
});

test('a connection whose TLS context never comes is closed and reported; close() ends connections still waiting', async () => {
  const rejects: string[] = [];
  const failing = await NativeHboneServer.bind({
    host: '127.0.0.1',
    port: 0,
    tls: () => Promise.reject(new Error('no certificate for the pod')),
    onReject: (err) => rejects.push(err.message),
    onConnect: async () => ({ status: 503, reason: 'unused' }),
  });
  const dialTo = async (port: number) => {
    const tcp = net.connect({ host: '127.0.0.1', port });
    await once(tcp, 'connect');
    return new NativeHboneSession(tcp, nativeTlsContext(clientMat, 'client'));
  };
  try {
    const session = await dialTo(failing.address().port);
    await assert.rejects(session.handshake(), (err: Error) => hasCode(err, 'ERR_HBONE_TLS'));
    assert.deepEqual(rejects, ['no certificate for the pod']);
  } finally {
    await failing.close({ force: true });
  }
  let waits = 0;
  const pending = await NativeHboneServer.bind({
    host: '127.0.0.1',
    port: 0,
    tls: () => {
      waits++;
      return new Promise(() => {});
    },
    onConnect: async () => ({ status: 503, reason: 'unused' }),
  });
  const stuck = await dialTo(pending.address().port);
  await waitUntil('the connection to wait for its TLS context', () => waits === 1);
  await pending.close();
  await assert.rejects(stuck.handshake(), (err: Error) => hasCode(err, 'ERR_HBONE_TLS'));
});
