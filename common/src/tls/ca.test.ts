import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate as NodeX509, generateKeyPairSync } from 'node:crypto';
import { CertificateAuthority } from './ca.ts';
import { createCsr } from './csr.ts';
import { x509 } from './x509-lib.ts';

const ID = 'spiffe://cluster.local/ns/default/sa/sleep';
const DAY_MS = 86_400_000;
const FIXED_NOW = new Date('2030-01-01T00:00:00Z');

function lifetimeMs(pem: string): number {
  const c = new NodeX509(pem);
  return c.validToDate.getTime() - c.validFromDate.getTime();
}

for (const intermediate of [false, true]) {
  const shape = intermediate ? 'root → intermediate → leaf' : 'root → leaf';
  test(`sign returns the chain leaf…root (${shape}), each PEM ending in a newline`, async () => {
    const ca = await CertificateAuthority.generate({ intermediate });
    const chain = await ca.sign((await createCsr(ID)).csrPem);
    assert.equal(chain.length, intermediate ? 3 : 2);
    for (const pem of chain) assert.match(pem, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    assert.equal(chain[chain.length - 1], ca.rootCertPem);

    const certs = chain.map((pem) => new NodeX509(pem));
    const root = certs[certs.length - 1]!;
    assert.ok(root.checkIssued(root) && root.verify(root.publicKey), 'last element is the self-signed root');
    for (let i = 0; i + 1 < certs.length; i++) {
      assert.ok(certs[i]!.checkIssued(certs[i + 1]!), `#${i} is issued by #${i + 1}`);
      assert.ok(certs[i]!.verify(certs[i + 1]!.publicKey), `#${i} is signed by #${i + 1}`);
    }
    assert.equal(certs[0]!.ca, false);
    assert.ok(certs.slice(1).every((c) => c.ca));
  });
}

test('the leaf has the SPIFFE URI SAN, CA:FALSE and the mesh key usages', async () => {
  const ca = await CertificateAuthority.generate();
  const [leafPem] = await ca.sign((await createCsr(ID)).csrPem);
  const leaf = new x509.X509Certificate(leafPem!);
  assert.equal(leaf.subject, '');
  const san = leaf.getExtension(x509.SubjectAlternativeNameExtension)!;
  assert.equal(san.critical, true, 'SAN must be critical with an empty subject');
  assert.deepEqual(san.names.toJSON(), [{ type: 'url', value: ID }]);
  const bc = leaf.getExtension(x509.BasicConstraintsExtension)!;
  assert.equal(bc.ca, false);
  const ku = leaf.getExtension(x509.KeyUsagesExtension)!;
  assert.equal(ku.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
  const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension)!;
  assert.deepEqual([...eku.usages].sort(), [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth].sort());
});

test('TTL: default 24 h, requests honoured, capped at the maximum, notBefore backdated', async () => {
  const ca = await CertificateAuthority.generate({ now: () => FIXED_NOW, backdateSeconds: 120 });
  const { csrPem } = await createCsr(ID);
  const backdateMs = 120_000;

  const byDefault = new NodeX509((await ca.sign(csrPem))[0]!);
  assert.equal(byDefault.validFromDate.getTime(), FIXED_NOW.getTime() - backdateMs);
  assert.equal(byDefault.validToDate.getTime(), FIXED_NOW.getTime() + DAY_MS);

  assert.equal(lifetimeMs((await ca.sign(csrPem, { ttlSeconds: 3_600 }))[0]!), 3_600_000 + backdateMs);
  assert.equal(lifetimeMs((await ca.sign(csrPem, { ttlSeconds: 365 * 86_400 }))[0]!), 90 * DAY_MS + backdateMs);
});

test('TTL cap is configurable and a leaf never outlives its issuer', async () => {
  const short = await CertificateAuthority.generate({ now: () => FIXED_NOW, maxTtlSeconds: 600, backdateSeconds: 0 });
  const { csrPem } = await createCsr(ID);
  assert.equal(lifetimeMs((await short.sign(csrPem, { ttlSeconds: 86_400 }))[0]!), 600_000);

  const shortRoot = await CertificateAuthority.generate({ now: () => FIXED_NOW, rootTtlSeconds: 3_600 });
  const leaf = new NodeX509((await shortRoot.sign(csrPem, { ttlSeconds: 86_400 }))[0]!);
  assert.equal(leaf.validToDate.getTime(), new NodeX509(shortRoot.rootCertPem).validToDate.getTime());
});

test('sign rejects a bad TTL with ERR_CA_INVALID_TTL', async () => {
  const ca = await CertificateAuthority.generate();
  const { csrPem } = await createCsr(ID);
  await assert.rejects(ca.sign(csrPem, { ttlSeconds: -5 }), { code: 'ERR_CA_INVALID_TTL' });
});

test('sign rejects a garbage CSR with ERR_CSR_INVALID', async () => {
  const ca = await CertificateAuthority.generate();
  await assert.rejects(ca.sign('not a csr'), { code: 'ERR_CSR_INVALID' });
});

test('sign with an authorised identity issues only for that identity', async () => {
  const ca = await CertificateAuthority.generate();
  const { csrPem } = await createCsr(ID);
  assert.equal((await ca.sign(csrPem, { identity: ID })).length, 2);
  await assert.rejects(ca.sign(csrPem, { identity: 'spiffe://cluster.local/ns/default/sa/other' }), {
    code: 'ERR_CA_IDENTITY_MISMATCH',
    message: /asks for spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep but the caller may only get .*sa\/other/,
  });
});

test('validityOverride sets an exact (even expired) window for tests', async () => {
  const ca = await CertificateAuthority.generate();
  const notBefore = new Date(Date.now() - 2 * DAY_MS);
  const notAfter = new Date(Date.now() - DAY_MS);
  const leaf = new NodeX509((await ca.sign((await createCsr(ID)).csrPem, { validityOverride: { notBefore, notAfter } }))[0]!);
  assert.equal(leaf.validToDate.getTime(), Math.floor(notAfter.getTime() / 1000) * 1000);
});

test('load round-trips generated material and signs with the same chain', async () => {
  const original = await CertificateAuthority.generate({ intermediate: true });
  const loaded = await CertificateAuthority.load(original.material);
  assert.equal(loaded.rootCertPem, original.rootCertPem);
  const chain = await loaded.sign((await createCsr(ID)).csrPem);
  assert.equal(chain.length, 3);
  const [leaf, intermediate] = chain.map((p) => new NodeX509(p));
  assert.ok(leaf!.verify(intermediate!.publicKey));
});

test('load accepts an RSA root key in PKCS#1 form', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const keys = { privateKey: rsa.privateKey.toCryptoKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']),
    publicKey: rsa.publicKey.toCryptoKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['verify']) };
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    keys,
    name: 'O=example',
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const ca = await CertificateAuthority.load({ keyPem, certPem: root.toString('pem') });
  const [leaf] = await ca.sign((await createCsr(ID)).csrPem);
  assert.ok(new NodeX509(leaf!).verify(new NodeX509(root.toString('pem')).publicKey));
});

test('load refuses unusable material with ERR_CA_INVALID_MATERIAL', async () => {
  const a = (await CertificateAuthority.generate({ intermediate: true })).material;
  const b = (await CertificateAuthority.generate()).material;
  const leafPem = (await (await CertificateAuthority.generate()).sign((await createCsr(ID)).csrPem))[0]!;
  const cases: Array<{ name: string; opts: Parameters<typeof CertificateAuthority.load>[0]; says: RegExp }> = [
    { name: 'garbage key', opts: { keyPem: 'nope', certPem: b.certPem }, says: /not a PEM private key/ },
    { name: 'no certificate', opts: { keyPem: b.keyPem, certPem: 'nope' }, says: /exactly one certificate, found 0/ },
    { name: 'mismatched key', opts: { keyPem: a.keyPem, certPem: b.certPem }, says: /does not match/ },
    { name: 'a leaf as CA', opts: { keyPem: b.keyPem, certPem: leafPem }, says: /is not a CA/ },
    { name: 'intermediate without root', opts: { keyPem: a.keyPem, certPem: a.certPem }, says: /not self-signed/ },
    { name: 'chain from another root', opts: { ...a, chainPem: b.certPem }, says: /#0 is not signed by #1/ },
  ];
  for (const c of cases) {
    await assert.rejects(CertificateAuthority.load(c.opts), { code: 'ERR_CA_INVALID_MATERIAL', message: c.says }, c.name);
  }
});
