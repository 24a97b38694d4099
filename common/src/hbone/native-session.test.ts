import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { CertificateAuthority } from '../ca/index.ts';
import { CLIENT_ID, SERVER_ID, TD, appPair, connectLoopback, issueMaterial } from './hbone.test-util.ts';
import { hboneClientOptions, hboneServerOptions, checkClientTrustDomain, peerIdentity, spiffeIdsOf } from '../tls/index.ts';
import type { MtlsMaterial } from '../tls/index.ts';
import { HboneServer } from './server.ts';
import { HbonePool } from './pool.ts';
import { reclaimMemory } from '../memory/index.ts';
import { NativeHboneSession, headerValue, nativeTlsContext } from './native-session.ts';

let ca: CertificateAuthority;
let clientMat: MtlsMaterial;
let serverMat: MtlsMaterial;
let echo: net.Server;
let echoPort: number;
const closers: (() => unknown)[] = [];

/** Echoes every byte back and half-closes after its peer does. */
function startEcho(): Promise<net.Server> {
  const s = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.pipe(sock);
    sock.on('error', () => {});
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

const connect = connectLoopback;

/** Writes `payload` into `app`, half-closes, and resolves with everything that came back. */
async function exchange(app: net.Socket, payload: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  app.on('data', (c: Buffer) => chunks.push(c));
  app.end(payload);
  await once(app, 'end');
  return Buffer.concat(chunks);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

before(async () => {
  ca = await CertificateAuthority.generate({ trustDomain: TD });
  clientMat = await issueMaterial(ca, CLIENT_ID);
  serverMat = await issueMaterial(ca, SERVER_ID);
  echo = await startEcho();
  echoPort = (echo.address() as net.AddressInfo).port;
});

after(async () => {
  for (const c of closers.reverse()) await c();
  echo.close();
});

/** Our JavaScript HBONE server, tunnelling to the echo app. */
async function jsServer(): Promise<HboneServer> {
  const server = await HboneServer.bind({
    host: '127.0.0.1',
    port: 0,
    tls: hboneServerOptions(serverMat),
    verifyPeer: (socket) => checkClientTrustDomain(socket, TD),
    onConnect: async (req) => {
      assert.equal(peerIdentity(req.tlsSocket)?.toString(), CLIENT_ID);
      return { status: 200, upstream: await connect(req.authority.port) };
    },
  });
  closers.push(() => server.close({ force: true }));
  return server;
}

async function nativeClient(port: number): Promise<NativeHboneSession> {
  const session = new NativeHboneSession(await connect(port), nativeTlsContext(clientMat, 'client'));
  const cert = await session.handshake();
  assert.ok(cert, 'the server presented a certificate');
  assert.deepEqual(spiffeIdsOf(cert).map(String), [SERVER_ID]);
  closers.push(() => session.destroy());
  return session;
}

test('native client -> Node HBONE server: 8 MiB each way intact, half-close both ways, no reset', async () => {
  const server = await jsServer();
  const session = await nativeClient(server.address().port);
  const stream = await session.open(`127.0.0.1:${echoPort}`, ['forwarded', 'for="10.0.0.5:4321"']);
  assert.equal(stream.status, 200);
  const { app, proxySide } = await appPair();
  const ended = session.attach(stream.id, proxySide);
  const payload = randomBytes(8 * 1024 * 1024);
  const back = await exchange(app, payload);
  assert.equal(back.length, payload.length);
  assert.equal(sha(back), sha(payload));
  const end = await ended;
  assert.deepEqual(end, { code: 0, fromApp: payload.length, toApp: payload.length });
  assert.equal(session.streamCount, 0);
});

test('Node HBONE client -> native server: headers reach the server, policy answers, bytes flow both ways', async () => {
  const serverCtx = nativeTlsContext(serverMat, 'server');
  const seen: string[][] = [];
  const listener = net.createServer({ pauseOnConnect: true }, (sock) => {
    const session = new NativeHboneSession(sock, serverCtx);
    closers.push(() => session.destroy());
    session.handshake().then(
      (cert) => {
        if (!cert || spiffeIdsOf(cert).map(String).join() !== CLIENT_ID) session.destroy('unexpected client identity');
      },
      () => {},
    );
    session.onStream = (id, headers) => {
      seen.push(headers);
      const authority = headerValue(headers, ':authority') ?? '';
      if (!authority.endsWith(`:${echoPort}`)) {
        void session.respond(id, 401, false);
        return;
      }
      void connect(echoPort).then((upstream) => {
        void session.respond(id, 200, true);
        void session.attach(id, upstream);
      });
    };
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  closers.push(() => listener.close());
  const port = (listener.address() as net.AddressInfo).port;
  const pool = new HbonePool();
  closers.push(() => pool.close({ force: true }));
  const dial = () =>
    new Promise<tls.TLSSocket>((resolve, reject) => {
      const sock = tls.connect({ host: '127.0.0.1', port, ...hboneClientOptions(clientMat, { expectedIdentities: [SERVER_ID] }) });
      sock.once('secureConnect', () => resolve(sock));
      sock.once('error', reject);
    });

  const tunnel = await pool.connect({ key: 'k', dial, authority: `127.0.0.1:${echoPort}`, headers: { baggage: 'k8s.namespace.name=default' } });
  const payload = randomBytes(3 * 1024 * 1024 + 17);
  const chunks: Buffer[] = [];
  tunnel.stream.on('data', (c: Buffer) => chunks.push(c));
  tunnel.stream.end(payload);
  await once(tunnel.stream, 'end');
  assert.equal(sha(Buffer.concat(chunks)), sha(payload));
  assert.equal(headerValue(seen[0]!, ':method'), 'CONNECT');
  assert.equal(headerValue(seen[0]!, 'baggage'), 'k8s.namespace.name=default');

  await assert.rejects(
    pool.connect({ key: 'k', dial, authority: '127.0.0.1:1' }),
    (err: Error & { status?: number }) => err.status === 401,
  );
});

test('native client -> native server: many streams on one session, each echoed, sessions close cleanly on GOAWAY', async () => {
  const { client: session, server } = await nativePair(echoPort);
  const one = async (i: number) => {
    const stream = await session.open(`127.0.0.1:${echoPort}`);
    const { app, proxySide } = await appPair();
    void session.attach(stream.id, proxySide);
    const payload = Buffer.from(`request ${i} `.repeat(50 + i));
    assert.equal((await exchange(app, payload)).toString(), payload.toString());
  };
  await Promise.all(Array.from({ length: 50 }, (_, i) => one(i)));
  await session.ping();
  session.goaway();
  assert.equal(await session.closed(), '');
  const serverSession = server();
  assert.ok(serverSession);
  assert.equal(await serverSession.closed(), '');
});

test('a server from another CA fails the native handshake with a reason, and nothing else is disturbed', async () => {
  const other = await CertificateAuthority.generate({ trustDomain: TD });
  const strangerMat = await issueMaterial(other, SERVER_ID);
  const listener = net.createServer({ pauseOnConnect: true }, (sock) => {
    const session = new NativeHboneSession(sock, nativeTlsContext(strangerMat, 'server'));
    session.handshake().catch(() => {});
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  closers.push(() => listener.close());
  const session = new NativeHboneSession(await connect((listener.address() as net.AddressInfo).port), nativeTlsContext(clientMat, 'client'));
  await assert.rejects(session.handshake(), (err: Error & { code?: string }) => err.code === 'ERR_HBONE_TLS' && /certificate verify failed/.test(err.message));
  assert.match(await session.closed(), /certificate verify failed/);
});

test('bad TLS material is refused with a message naming it', () => {
  assert.throws(() => nativeTlsContext({ ...clientMat, keyPem: 'not a key' }, 'client'), /key is not a PEM private key/);
  assert.throws(() => nativeTlsContext({ ...clientMat, roots: '' }, 'client'), /roots/);
});

/** A native server whose streams go to `port`, and a native client session to it. */
async function nativePair(port: number): Promise<{ client: NativeHboneSession; server: () => NativeHboneSession | undefined }> {
  const serverCtx = nativeTlsContext(serverMat, 'server');
  let serverSession: NativeHboneSession | undefined;
  const listener = net.createServer({ pauseOnConnect: true }, (sock) => {
    const session = new NativeHboneSession(sock, serverCtx);
    serverSession = session;
    closers.push(() => session.destroy());
    session.onStream = (id) => {
      void connect(port).then((upstream) => {
        void session.respond(id, 200, true);
        void session.attach(id, upstream);
      });
    };
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  closers.push(() => listener.close());
  const client = await nativeClient((listener.address() as net.AddressInfo).port);
  return { client, server: () => serverSession };
}

test('a server that speaks first: its greeting reaches the client before the client sends anything', async () => {
  const greeter = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.write('220 hello\r\n');
    sock.on('data', (c: Buffer) => sock.end(`echo ${c.toString()}`));
    sock.on('error', () => {});
  });
  await new Promise<void>((resolve) => greeter.listen(0, '127.0.0.1', resolve));
  closers.push(() => greeter.close());
  const { client } = await nativePair((greeter.address() as net.AddressInfo).port);
  const stream = await client.open('127.0.0.1:1');
  const { app, proxySide } = await appPair();
  void client.attach(stream.id, proxySide);
  const [greeting] = (await once(app, 'data')) as [Buffer];
  assert.equal(greeting.toString(), '220 hello\r\n');
  assert.equal((await exchange(app, Buffer.from('hi'))).toString(), 'echo hi');
});

test('an app socket reset on one side resets the stream and the socket on the other side', async () => {
  let gotBytes!: () => void;
  const upstreamGotBytes = new Promise<void>((resolve) => (gotBytes = resolve));
  const upstreamReset = new Promise<string>((resolve) => {
    const s = net.createServer((sock) => {
      sock.once('data', () => gotBytes());
      sock.on('error', (err: Error & { code?: string }) => resolve(err.code ?? err.message));
      sock.on('close', () => resolve('closed'));
    });
    s.listen(0, '127.0.0.1', () => void pair(s));
    closers.push(() => s.close());
  });
  let ended: Promise<{ code: number }> | undefined;
  const pair = async (s: net.Server) => {
    const { client } = await nativePair((s.address() as net.AddressInfo).port);
    const stream = await client.open('127.0.0.1:1');
    const { app, proxySide } = await appPair();
    ended = client.attach(stream.id, proxySide);
    app.write('some bytes');
    await upstreamGotBytes;
    app.resetAndDestroy();
  };
  assert.equal(await upstreamReset, 'ECONNRESET');
  assert.ok(ended);
  assert.notEqual((await ended).code, 0, 'the client side ended with a stream reset');
});

test('destroying a session resets the app sockets of its open streams', async () => {
  const { client } = await nativePair(echoPort);
  const stream = await client.open(`127.0.0.1:${echoPort}`);
  const { app, proxySide } = await appPair();
  const ended = client.attach(stream.id, proxySide);
  app.write('ping');
  await once(app, 'data');
  const appError = new Promise<string>((resolve) => app.on('error', (err: Error & { code?: string }) => resolve(err.code ?? '')));
  client.destroy('test over');
  assert.equal(await appError, 'ECONNRESET');
  assert.equal((await ended).code, 8, 'CANCEL');
  assert.equal(await client.closed(), 'test over');
});

test('many streams reset by the client (apps aborting) do not make the server end the session', async () => {
  const { client, server } = await nativePair(echoPort);
  for (let i = 0; i < 1500; i++) {
    const stream = await client.open(`127.0.0.1:${echoPort}`);
    client.reset(stream.id);
    await stream.ended;
  }
  const stream = await client.open(`127.0.0.1:${echoPort}`);
  const { app, proxySide } = await appPair();
  void client.attach(stream.id, proxySide);
  assert.equal((await exchange(app, Buffer.from('still here'))).toString(), 'still here');
  assert.equal(client.isClosed, false);
  assert.equal(server()?.isClosed, false);
});

test('a request whose headers exceed the 64 KiB header list limit is refused with a reason, and the session carries on', async () => {
  const { client } = await nativePair(echoPort);
  await assert.rejects(client.open(`127.0.0.1:${echoPort}`, ['x-padding', 'a'.repeat(70 * 1024)]), /exceed the 64 KiB header list limit/);
  const stream = await client.open(`127.0.0.1:${echoPort}`, ['x-padding', 'a'.repeat(1024)]);
  assert.equal(stream.status, 200);
  client.reset(stream.id);
});

test('closed sessions are garbage: nothing of the addon keeps them alive', async () => {
  let collected = 0;
  const registry = new FinalizationRegistry(() => collected++);
  const serverCtx = nativeTlsContext(serverMat, 'server');
  const listener = net.createServer({ pauseOnConnect: true }, (sock) => registry.register(new NativeHboneSession(sock, serverCtx), 0));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  closers.push(() => listener.close());
  const clientCtx = nativeTlsContext(clientMat, 'client');
  const N = 20;
  for (let i = 0; i < N; i++) {
    const session = new NativeHboneSession(await connect((listener.address() as net.AddressInfo).port), clientCtx);
    registry.register(session, 0);
    await session.handshake();
    session.goaway();
    assert.equal(await session.closed(), '');
  }
  // Full collections until the registry has heard of (nearly) all 2N sessions; a leak leaves it at 0.
  for (let i = 0; i < 50 && collected < 2 * N - 2; i++) {
    reclaimMemory();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(collected >= 2 * N - 2, `${collected} of ${2 * N} closed sessions were collected`);
});
