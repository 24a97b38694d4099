// HBONE runs HTTP/2 over these TLS options; check Node's http2 honours them (ALPN, no SNI, identities) and that
// the trust-domain check is safe in front of http2's own connection handler.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { CertificateAuthority } from './ca.ts';
import { createCsr } from './csr.ts';
import { hboneClientOptions, hboneServerOptions, type MtlsMaterial } from './mtls.ts';
import type { TlsError } from './tls-errors.ts';
import { enforceClientTrustDomain, peerIdentity } from './verify.ts';

const TD = 'cluster.local';
const SERVER_ID = `spiffe://${TD}/ns/server/sa/server-sa`;
const CLIENT_ID = `spiffe://${TD}/ns/client/sa/client-sa`;
const TIMEOUT_MS = 5_000;

let ca: CertificateAuthority;
before(async () => {
  ca = await CertificateAuthority.generate({ trustDomain: TD, intermediate: true });
});

async function material(id: string): Promise<MtlsMaterial> {
  const { csrPem, keyPem } = await createCsr(id);
  return { keyPem, certChain: await ca.sign(csrPem), roots: ca.rootCertPem };
}

interface Seen {
  servername?: string | false | null;
  identity?: string;
  rejected?: TlsError;
}

/** Starts an HBONE-like h2 server, makes one request with `clientId`'s cert, returns status and what the server saw. */
async function request(clientId: string, authority: (port: number) => string, viaTlsConnect = false) {
  const seen: Seen = {};
  const server = http2.createSecureServer(hboneServerOptions(await material(SERVER_ID)));
  enforceClientTrustDomain(server, TD, (err) => (seen.rejected = err));
  server.on('stream', (stream) => {
    const socket = stream.session?.socket as TLSSocket;
    seen.servername = socket.servername;
    seen.identity = peerIdentity(socket)?.toString();
    stream.respond({ ':status': 200 });
    stream.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const options = hboneClientOptions(await material(clientId), { expectedIdentities: [SERVER_ID] });
  const session = viaTlsConnect
    ? http2.connect(authority(port), { createConnection: () => tls.connect({ ...options, host: '127.0.0.1', port }) })
    : http2.connect(authority(port), {
        ...options,
        // A host name must still reach our IPv4 listener; answer every lookup with loopback.
        lookup: (_h, o, cb) => (o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)),
      } as http2.SecureClientSessionOptions);
  try {
    const status = await new Promise<number | Error>((resolve) => {
      const timer = setTimeout(() => resolve(new Error('test timeout')), TIMEOUT_MS);
      session.on('error', (err) => resolve(err));
      const req = session.request({ ':path': '/' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', (err) => resolve(err));
      req.on('close', () => resolve(new Error('stream closed without response')));
      req.end();
      void once(session, 'close').then(() => clearTimeout(timer), () => clearTimeout(timer));
    });
    return { status, seen };
  } finally {
    session.destroy();
    server.close();
  }
}

test('http2 over our options: h2 request succeeds, server sees client identity and no SNI (IP authority)', async () => {
  const { status, seen } = await request(CLIENT_ID, (port) => `https://127.0.0.1:${port}`);
  assert.equal(status, 200);
  assert.equal(seen.identity, CLIENT_ID);
  assert.equal(seen.servername, false);
});

// http2.connect replaces an empty servername with the URL's host name, so a caller that must dial a name (not
// an IP) creates the TLS socket itself. This pins both behaviours so a Node change is noticed.
test('http2 to a host name: createConnection with tls.connect sends no SNI; plain http2.connect does', async () => {
  const own = await request(CLIENT_ID, (port) => `https://localhost:${port}`, true);
  assert.equal(own.status, 200);
  assert.equal(own.seen.servername, false);
  const plain = await request(CLIENT_ID, (port) => `https://localhost:${port}`);
  assert.equal(plain.status, 200);
  assert.equal(plain.seen.servername, 'localhost');
});

test('http2 server drops a client of another trust domain before any stream, and keeps running', async () => {
  const { status, seen } = await request('spiffe://other.td/ns/client/sa/client-sa', (p) => `https://127.0.0.1:${p}`);
  assert.ok(status instanceof Error, `expected a failure, got ${String(status)}`);
  assert.equal(seen.rejected?.code, 'ERR_TLS_TRUST_DOMAIN_MISMATCH');
  assert.equal(seen.identity, undefined);
});
