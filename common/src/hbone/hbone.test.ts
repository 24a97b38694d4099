import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { ServerHttp2Session } from 'node:http2';
import { CertificateAuthority } from '../ca/index.ts';
import { CLIENT_ID, SERVER_ID, TD, connectLoopback, issueMaterial } from './hbone.test-util.ts';
import { hboneClientOptions, hboneServerOptions, checkClientTrustDomain, peerIdentity } from '../tls/index.ts';
import type { MtlsMaterial } from '../tls/index.ts';
import { hasCode } from '../errors.ts';
import { HboneServer } from './server.ts';
import type { HboneDecision, HboneRequest } from './server.ts';
import { HbonePool } from './pool.ts';
import { formatForwarded, newTraceparent } from './headers.ts';

let ca: CertificateAuthority;
let clientMat: MtlsMaterial;
let serverMat: MtlsMaterial;
let app: net.Server;
let appPort: number;
let hbone: HboneServer;
const seen: { authority: string; peer: string | undefined; headers: Record<string, unknown> }[] = [];
let decide: (req: HboneRequest) => Promise<HboneDecision>;
const rejections: Error[] = [];

/** The upstream app: replies to each connection, after the client half-closes, with what it received. */
function startApp(): Promise<net.Server> {
  const s = net.createServer({ allowHalfOpen: true }, (sock) => {
    const chunks: Buffer[] = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('end', () => {
      const body = Buffer.concat(chunks);
      sock.end(`got ${body.length} bytes: ${body.subarray(0, 32).toString()}`);
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

const connectUpstream = connectLoopback;

function dialer(material: MtlsMaterial, expected: string[]) {
  return () =>
    new Promise<tls.TLSSocket>((resolve, reject) => {
      const sock = tls.connect({ host: '127.0.0.1', port: hbone.address().port, ...hboneClientOptions(material, { expectedIdentities: expected }) });
      sock.once('secureConnect', () => resolve(sock));
      sock.once('error', reject);
    });
}

before(async () => {
  ca = await CertificateAuthority.generate({ trustDomain: TD });
  clientMat = await issueMaterial(ca, CLIENT_ID);
  serverMat = await issueMaterial(ca, SERVER_ID);
  app = await startApp();
  appPort = (app.address() as net.AddressInfo).port;
  decide = async (req) => ({ status: 200, upstream: await connectUpstream(req.authority.port) });
  hbone = await HboneServer.bind({
    host: '127.0.0.1',
    port: 0,
    tls: hboneServerOptions(serverMat),
    verifyPeer: (socket) => checkClientTrustDomain(socket, TD),
    onReject: (err) => rejections.push(err),
    onConnect: async (req) => {
      seen.push({ authority: `${req.authority.host}:${req.authority.port}`, peer: peerIdentity(req.tlsSocket)?.toString(), headers: req.headers });
      return decide(req);
    },
  });
});

after(async () => {
  await hbone.close({ force: true });
  app.close();
});

/** Sends `payload` through a tunnel, half-closes, and returns what came back. */
async function roundTrip(pool: HbonePool, key: string, payload: string, material = clientMat, expected = [SERVER_ID]) {
  const tunnel = await pool.connect({
    key,
    dial: dialer(material, expected),
    authority: `127.0.0.1:${appPort}`,
    headers: { forwarded: formatForwarded('10.0.0.5', 4321), traceparent: newTraceparent() },
  });
  const chunks: Buffer[] = [];
  tunnel.stream.on('data', (c: Buffer) => chunks.push(c));
  tunnel.stream.end(payload);
  await once(tunnel.stream, 'end');
  if (!tunnel.stream.closed) await once(tunnel.stream, 'close');
  return { body: Buffer.concat(chunks).toString(), rstCode: tunnel.stream.rstCode };
}

test('a tunnel carries bytes both ways with half-close, and the server sees the client identity and headers', async () => {
  const pool = new HbonePool();
  try {
    const r = await roundTrip(pool, 'k1', 'hello over hbone');
    assert.equal(r.body, 'got 16 bytes: hello over hbone');
    assert.equal(r.rstCode, 0, 'an ordinary close is not a stream reset');
    const last = seen.at(-1)!;
    assert.equal(last.authority, `127.0.0.1:${appPort}`);
    assert.equal(last.peer, CLIENT_ID);
    assert.equal(last.headers['forwarded'], 'for="10.0.0.5:4321"');
    assert.match(String(last.headers['traceparent']), /^00-[0-9a-f]{32}-/);
  } finally {
    await pool.close({ force: true });
  }
});

test('a large transfer arrives intact through the raised flow-control windows', async () => {
  const pool = new HbonePool();
  try {
    const payload = 'x'.repeat(8 * 1024 * 1024);
    const r = await roundTrip(pool, 'k-bulk', payload);
    assert.ok(r.body.startsWith(`got ${payload.length} bytes: xxxx`), r.body.slice(0, 40));
  } finally {
    await pool.close({ force: true });
  }
});

test('1,000 short connections share one HTTP/2 session with no failure and no GOAWAY', async () => {
  const pool = new HbonePool();
  try {
    let goaways = 0;
    let newSessions = 0;
    const onSession = (session: ServerHttp2Session) => {
      newSessions++;
      session.on('goaway', () => goaways++);
    };
    hbone.server.on('session', onSession);
    after(() => hbone.server.off('session', onSession));
    let failures = 0;
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => roundTrip(pool, 'k-churn', `c${batch}-${i}`)));
      for (const r of results) if (r.status === 'rejected' || !r.value.body.startsWith('got ')) failures++;
    }
    assert.equal(failures, 0);
    assert.equal(pool.stats().sessions, 1, 'one pooled session carried them all');
    assert.equal(newSessions, 1, 'the server saw one session');
    assert.equal(goaways, 0);
  } finally {
    await pool.close({ force: true });
  }
});

test('more concurrent tunnels than the stream limit open a second session; other keys never share', async () => {
  const pool = new HbonePool({ maxStreamsPerSession: 10 });
  try {
    const tunnels = await Promise.all(
      Array.from({ length: 15 }, () => pool.connect({ key: 'k-limit', dial: dialer(clientMat, [SERVER_ID]), authority: `127.0.0.1:${appPort}` })),
    );
    assert.equal(pool.stats().sessions, 2);
    assert.equal(pool.stats().streams, 15);
    const other = await pool.connect({ key: 'k-other', dial: dialer(clientMat, [SERVER_ID]), authority: `127.0.0.1:${appPort}` });
    assert.equal(pool.stats().sessions, 3);
    for (const t of [...tunnels, other]) t.stream.end();
    await Promise.all([...tunnels, other].map((t) => t.stream.resume() && once(t.stream, 'close')));
    assert.equal(pool.stats().streams, 0);
  } finally {
    await pool.close({ force: true });
  }
});

test('refusals: a handler status reaches the client as ERR_HBONE_STATUS; a bad authority is 400', async () => {
  const pool = new HbonePool();
  const saved = decide;
  try {
    decide = async () => ({ status: 401, reason: 'denied by policy' });
    await assert.rejects(roundTrip(pool, 'k-deny', 'x'), (err: Error & { status?: number }) => hasCode(err, 'ERR_HBONE_STATUS') && err.status === 401);
    decide = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    await assert.rejects(roundTrip(pool, 'k-deny', 'x'), (err: Error & { status?: number }) => err.status === 503);
    decide = saved;
    await assert.rejects(
      pool.connect({ key: 'k-deny', dial: dialer(clientMat, [SERVER_ID]), authority: '10.0.0.1' }),
      (err: Error & { status?: number }) => err.status === 400,
    );
    assert.ok(hasCode(rejections.at(-1), 'ERR_HBONE_BAD_AUTHORITY'));
    // The session survives refusals: a good tunnel still works on it.
    assert.match((await roundTrip(pool, 'k-deny', 'after')).body, /^got 5 bytes/);
    assert.equal(pool.stats().sessions, 1);
  } finally {
    decide = saved;
    await pool.close({ force: true });
  }
});

test('identity: a server with an unexpected SAN is refused by the client; a client of another trust domain by the server', async () => {
  const pool = new HbonePool();
  try {
    await assert.rejects(
      roundTrip(pool, 'k-wrong-san', 'x', clientMat, [`spiffe://${TD}/ns/default/sa/someone-else`]),
      (err: Error) => hasCode(err, 'ERR_HBONE_SESSION') && /someone-else/.test(err.message),
    );
    // Signed by the mesh root but naming another trust domain: the handshake passes, the server check refuses.
    const before = rejections.length;
    const foreign = await issueMaterial(ca, 'spiffe://other.domain/ns/default/sa/sleep');
    await assert.rejects(roundTrip(pool, 'k-foreign', 'x', foreign), (err: Error) => hasCode(err, 'ERR_HBONE_SESSION'));
    assert.ok(
      rejections.slice(before).some((e) => hasCode(e, 'ERR_TLS_TRUST_DOMAIN_MISMATCH') && e.message.includes('other.domain')),
      'the server refused it for its trust domain',
    );
  } finally {
    await pool.close({ force: true });
  }
});

test('splice: a reset upstream resets the tunnel instead of ending it cleanly', async () => {
  const pool = new HbonePool();
  const saved = decide;
  try {
    const resetter = net.createServer((sock) => sock.once('data', () => sock.resetAndDestroy()));
    await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
    after(() => resetter.close());
    decide = async () => ({ status: 200, upstream: await connectUpstream((resetter.address() as net.AddressInfo).port) });
    const tunnel = await pool.connect({ key: 'k-reset', dial: dialer(clientMat, [SERVER_ID]), authority: `127.0.0.1:${appPort}` });
    tunnel.stream.resume();
    tunnel.stream.on('error', () => {});
    tunnel.stream.write('trigger the reset');
    await once(tunnel.stream, 'close');
    assert.notEqual(tunnel.stream.rstCode, 0, 'the client sees a stream reset');
  } finally {
    decide = saved;
    await pool.close({ force: true });
  }
});

