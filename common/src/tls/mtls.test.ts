// Real TLS 1.3 handshakes on 127.0.0.1 with our option builders, CA and checks.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { CertificateAuthority } from './ca.ts';
import { createCsr } from './csr.ts';
import { hboneClientOptions, hboneServerOptions, type MtlsMaterial } from './mtls.ts';
import type { SignOptions } from './ca.ts';
import type { TlsError } from './tls-errors.ts';
import { enforceClientTrustDomain, peerIdentity } from './verify.ts';

const TD = 'cluster.local';
const SERVER_ID = `spiffe://${TD}/ns/server/sa/server-sa`;
const CLIENT_ID = `spiffe://${TD}/ns/client/sa/client-sa`;
const TIMEOUT_MS = 5_000;

let mesh: CertificateAuthority;
let meshWithIntermediate: CertificateAuthority;
let stranger: CertificateAuthority;

before(async () => {
  [mesh, meshWithIntermediate, stranger] = await Promise.all([
    CertificateAuthority.generate({ trustDomain: TD }),
    CertificateAuthority.generate({ trustDomain: TD, intermediate: true }),
    CertificateAuthority.generate({ trustDomain: 'stranger' }),
  ]);
});

async function material(ca: CertificateAuthority, id: string, roots = ca, opts?: SignOptions): Promise<MtlsMaterial> {
  const { csrPem, keyPem } = await createCsr(id);
  return { keyPem, certChain: await ca.sign(csrPem, opts), roots: roots.rootCertPem };
}

interface Outcome {
  /** Whether the client saw the handshake complete. */
  secure: boolean;
  /** What the server wrote after accepting; '' if the client was dropped. */
  data: string;
  clientError?: NodeJS.ErrnoException;
  alpn?: string | false | null;
  cipher?: string;
  group?: string | null;
  reused?: boolean;
  session?: Buffer;
  /** Server view of the accepted connection, if any. */
  accepted?: { identity?: string; servername: string | false | null; alpn: string | false | null };
  serverError?: Error;
  /** Why Node's server refused the client certificate (it drops such clients after the handshake). */
  authorizationError?: string;
  rejected?: TlsError;
}

/** Resolves when the socket closes (events.once would reject on its 'error', which we record instead). */
function closed(socket: tls.TLSSocket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** One connection: a server with `serverOpts`, a client with `clientOpts`, and what each side saw. */
async function handshake(
  serverOpts: tls.TlsOptions,
  clientOpts: tls.ConnectionOptions,
  extra: { trustDomain?: string; host?: string } = {},
): Promise<Outcome> {
  const out: Outcome = { secure: false, data: '' };
  const server = tls.createServer(serverOpts);
  if (extra.trustDomain) enforceClientTrustDomain(server, extra.trustDomain, (err) => (out.rejected = err));
  server.on('secureConnection', (socket) => {
    socket.on('error', () => {});
    if (socket.destroyed) return;
    out.accepted = { identity: peerIdentity(socket)?.toString(), servername: socket.servername, alpn: socket.alpnProtocol };
    socket.end('hello');
  });
  const serverError = new Promise<void>((resolve) =>
    server.on('tlsClientError', (err, socket) => {
      out.serverError = err;
      out.authorizationError = String(socket.authorizationError ?? '');
      resolve();
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const client = tls.connect({
      ...clientOpts,
      host: extra.host ?? '127.0.0.1',
      port,
      // A host name must still reach our IPv4 listener; answer every lookup with loopback.
      lookup: (_h, o, cb) => (o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)),
    } as tls.ConnectionOptions);
    client.setTimeout(TIMEOUT_MS, () => client.destroy(new Error('test timeout')));
    client.on('secureConnect', () => {
      out.secure = true;
      out.alpn = client.alpnProtocol;
      out.cipher = client.getCipher().standardName;
      out.group = (client.getEphemeralKeyInfo() as { name?: string } | null)?.name;
      out.reused = client.isSessionReused();
    });
    client.on('session', (s) => (out.session = s));
    client.on('data', (d) => (out.data += d.toString()));
    client.on('error', (err) => (out.clientError = err));
    await closed(client);
    // A server-side handshake failure is reported on the server; wait for it when the client never got data.
    if (!out.accepted && !out.rejected) {
      await Promise.race([serverError, new Promise((r) => setTimeout(r, 1_000).unref())]);
    }
    return out;
  } finally {
    server.close();
  }
}

test('mutual TLS 1.3 handshake with ALPN h2; each side sees the other SPIFFE identity', async () => {
  const s = await material(mesh, SERVER_ID);
  const c = await material(mesh, CLIENT_ID);
  const out = await handshake(hboneServerOptions(s), hboneClientOptions(c, { expectedIdentities: [SERVER_ID] }), {
    trustDomain: TD,
  });
  assert.equal(out.clientError, undefined);
  assert.equal(out.data, 'hello');
  assert.equal(out.alpn, 'h2');
  assert.equal(out.accepted?.alpn, 'h2');
  assert.equal(out.accepted?.identity, CLIENT_ID);
  assert.ok(['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'].includes(out.cipher ?? ''), out.cipher);
  assert.ok(['prime256v1', 'secp384r1'].includes(out.group ?? ''), String(out.group));
});

test('chains through an intermediate verify against the root alone', async () => {
  const s = await material(meshWithIntermediate, SERVER_ID);
  const c = await material(meshWithIntermediate, CLIENT_ID);
  const out = await handshake(hboneServerOptions(s), hboneClientOptions(c, { expectedIdentities: [SERVER_ID] }), {
    trustDomain: TD,
  });
  assert.equal(out.clientError, undefined);
  assert.equal(out.data, 'hello');
  assert.equal(out.accepted?.identity, CLIENT_ID);
});

test('the client refuses a server whose SAN is not an expected identity', async () => {
  const s = await material(mesh, SERVER_ID);
  const c = await material(mesh, CLIENT_ID);
  const wrong = `spiffe://${TD}/ns/server/sa/someone-else`;
  const out = await handshake(hboneServerOptions(s), hboneClientOptions(c, { expectedIdentities: [wrong] }));
  assert.equal(out.clientError?.code, 'ERR_TLS_SAN_MISMATCH');
  assert.match(out.clientError?.message ?? '', new RegExp(`expected one of \\[${wrong}\\], got \\[${SERVER_ID}\\]`));
  assert.equal(out.data, '');
});

test('the client accepts the server when any expected identity matches', async () => {
  const s = await material(mesh, SERVER_ID);
  const c = await material(mesh, CLIENT_ID);
  const expectedIdentities = [`spiffe://${TD}/ns/svc/sa/other`, SERVER_ID];
  const out = await handshake(hboneServerOptions(s), hboneClientOptions(c, { expectedIdentities }));
  assert.equal(out.clientError, undefined);
  assert.equal(out.data, 'hello');
});

test('the server drops a client from another trust domain, even with a cert from the mesh CA', async () => {
  const s = await material(mesh, SERVER_ID);
  const c = await material(mesh, 'spiffe://evil.example/ns/client/sa/client-sa');
  const out = await handshake(hboneServerOptions(s), hboneClientOptions(c, { expectedIdentities: [SERVER_ID] }), {
    trustDomain: TD,
  });
  assert.equal(out.rejected?.code, 'ERR_TLS_TRUST_DOMAIN_MISMATCH');
  assert.match(out.rejected?.message ?? '', /evil\.example.*not in trust domain cluster\.local/);
  assert.equal(out.accepted, undefined);
  assert.equal(out.data, '');
});

test('the server refuses a client certificate from an unknown CA during the handshake', async () => {
  const s = await material(mesh, SERVER_ID);
  const c = await material(stranger, CLIENT_ID, mesh);
  const out = await handshake(hboneServerOptions(s), hboneClientOptions(c, { expectedIdentities: [SERVER_ID] }));
  assert.ok(out.serverError, 'server reports a handshake error');
  assert.equal(out.authorizationError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.equal(out.accepted, undefined);
  assert.equal(out.data, '');
});

test('the client refuses a server certificate from an unknown CA', async () => {
  const s = await material(stranger, SERVER_ID, mesh);
  const c = await material(mesh, CLIENT_ID);
  const out = await handshake(hboneServerOptions(s), hboneClientOptions(c, { expectedIdentities: [SERVER_ID] }));
  assert.equal(out.clientError?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.equal(out.secure, false);
});

test('an expired server certificate is refused', async () => {
  const day = 86_400_000;
  const expired = { validityOverride: { notBefore: new Date(Date.now() - 2 * day), notAfter: new Date(Date.now() - day) } };
  const s = await material(mesh, SERVER_ID, mesh, expired);
  const c = await material(mesh, CLIENT_ID);
  const out = await handshake(hboneServerOptions(s), hboneClientOptions(c, { expectedIdentities: [SERVER_ID] }));
  assert.equal(out.clientError?.code, 'CERT_HAS_EXPIRED');
});

test('an expired client certificate is refused by the server', async () => {
  const day = 86_400_000;
  const expired = { validityOverride: { notBefore: new Date(Date.now() - 2 * day), notAfter: new Date(Date.now() - day) } };
  const s = await material(mesh, SERVER_ID);
  const c = await material(mesh, CLIENT_ID, mesh, expired);
  const out = await handshake(hboneServerOptions(s), hboneClientOptions(c, { expectedIdentities: [SERVER_ID] }));
  assert.equal(out.authorizationError, 'CERT_HAS_EXPIRED');
  assert.equal(out.accepted, undefined);
  assert.equal(out.data, '');
});

test('no SNI is sent even when dialling a host name (control: an explicit servername is seen)', async () => {
  const s = await material(mesh, SERVER_ID);
  const c = await material(mesh, CLIENT_ID);
  const opts = hboneClientOptions(c, { expectedIdentities: [SERVER_ID] });
  const ours = await handshake(hboneServerOptions(s), opts, { host: 'localhost' });
  assert.equal(ours.data, 'hello');
  assert.equal(ours.accepted?.servername, false);
  const control = await handshake(hboneServerOptions(s), { ...opts, servername: 'localhost' }, { host: 'localhost' });
  assert.equal(control.accepted?.servername, 'localhost');
});

test('sessions are never resumed (control: Node resumes with default options)', async () => {
  const s = await material(mesh, SERVER_ID);
  const c = await material(mesh, CLIENT_ID);
  const client = hboneClientOptions(c, { expectedIdentities: [SERVER_ID] });
  const serverOpts = { ...hboneServerOptions(s), secureOptions: undefined };
  const clientDefault = { ...client, secureOptions: undefined };

  // Control: one server, default ticket behaviour, the second connection resumes.
  const first = await handshakeTwice(serverOpts, clientDefault);
  assert.equal(first, true, 'control: default options resume');

  assert.equal(await handshakeTwice(hboneServerOptions(s), client), false);
});

/** Connects twice to the same server, offering the first session on the second; returns isSessionReused(). */
async function handshakeTwice(serverOpts: tls.TlsOptions, clientOpts: tls.ConnectionOptions): Promise<boolean> {
  const server = tls.createServer(serverOpts, (socket) => {
    socket.on('error', () => {});
    socket.end('hello');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const connect = async (session?: Buffer) => {
    const socket = tls.connect({ ...clientOpts, host: '127.0.0.1', port, ...(session ? { session } : {}) });
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error('test timeout')));
    let got: Buffer | undefined;
    let reused = false;
    socket.on('session', (s) => (got = s));
    socket.on('secureConnect', () => (reused = socket.isSessionReused()));
    socket.resume();
    socket.on('error', () => {});
    await closed(socket);
    return { session: got, reused };
  };
  try {
    const one = await connect();
    const two = await connect(one.session);
    return two.reused;
  } finally {
    server.close();
  }
}

test('a TLS 1.2-only client is refused', async () => {
  const s = await material(mesh, SERVER_ID);
  const c = await material(mesh, CLIENT_ID);
  const opts = {
    ...hboneClientOptions(c, { expectedIdentities: [SERVER_ID] }),
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  } as const;
  const out = await handshake(hboneServerOptions(s), opts);
  assert.ok(out.clientError, 'handshake fails');
  assert.equal(out.secure, false);
});

test('a client offering only ChaCha20 or only X25519 is refused', async () => {
  const s = await material(mesh, SERVER_ID);
  const c = await material(mesh, CLIENT_ID);
  const base = hboneClientOptions(c, { expectedIdentities: [SERVER_ID] });
  const chacha = await handshake(hboneServerOptions(s), { ...base, ciphers: 'TLS_CHACHA20_POLY1305_SHA256' });
  assert.ok(chacha.clientError && !chacha.secure, 'ChaCha20-only client refused');
  const x25519 = await handshake(hboneServerOptions(s), { ...base, ecdhCurve: 'X25519' });
  assert.ok(x25519.clientError && !x25519.secure, 'X25519-only client refused');
});

test('option builders reject missing material with ERR_TLS_INVALID_MATERIAL', async () => {
  const good = await material(mesh, SERVER_ID);
  const other = await material(mesh, CLIENT_ID);
  assert.throws(() => hboneServerOptions({ ...good, keyPem: 'nope' }), {
    code: 'ERR_TLS_INVALID_MATERIAL',
    message: /not a PEM private key/,
  });
  assert.throws(() => hboneServerOptions({ ...good, keyPem: other.keyPem }), {
    code: 'ERR_TLS_INVALID_MATERIAL',
    message: /does not match the leaf/,
  });
  assert.throws(() => hboneServerOptions({ ...good, certChain: 'garbage' }), { code: 'ERR_TLS_INVALID_MATERIAL' });
  const corrupt = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
  assert.throws(() => hboneServerOptions({ ...good, certChain: [corrupt] }), {
    code: 'ERR_TLS_INVALID_MATERIAL',
    message: /leaf certificate cannot be parsed/,
  });
  assert.throws(() => hboneServerOptions({ ...good, certChain: [] }), { code: 'ERR_TLS_INVALID_MATERIAL' });
  assert.throws(() => hboneServerOptions({ ...good, roots: '' }), { code: 'ERR_TLS_INVALID_MATERIAL' });
  assert.throws(() => hboneClientOptions(good, { expectedIdentities: [] }), { code: 'ERR_TLS_INVALID_MATERIAL' });
  assert.throws(() => hboneClientOptions(good, { expectedIdentities: ['not-spiffe'] }), {
    code: 'ERR_IDENTITY_INVALID_SPIFFE_ID',
  });
});

test('the presented chain drops the root but keeps intermediates', async () => {
  const m = await material(meshWithIntermediate, SERVER_ID);
  const chain = m.certChain as string[];
  assert.equal(chain.length, 3);
  assert.equal(hboneServerOptions(m).cert, chain[0]! + chain[1]!);
});
