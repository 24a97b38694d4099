import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate as NodeX509, createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { CertificateAuthority } from '../ca/index.ts';
import { SpiffeId } from '../identity/index.ts';
import { createCsr } from './csr.ts';
import { parseCsr } from './csr-parse.ts';
import { spiffeIdsOf } from './san.ts';
import { webcrypto, x509 } from './x509-lib.ts';

const ID = 'spiffe://cluster.local/ns/default/sa/sleep';

test('createCsr makes a P-256 key and a SHA-256 CSR with empty subject and exactly one URI SAN', async () => {
  const { csrPem, keyPem, identity } = await createCsr(ID);
  assert.equal(identity.toString(), ID);
  assert.match(csrPem, /^-----BEGIN CERTIFICATE REQUEST-----\n[\s\S]+\n-----END CERTIFICATE REQUEST-----\n$/);
  assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);

  const key = createPrivateKey(keyPem);
  assert.equal(key.asymmetricKeyType, 'ec');
  assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');

  const req = new x509.Pkcs10CertificateRequest(csrPem);
  assert.equal(req.subject, '');
  assert.equal(req.subjectName.toJSON().length, 0);
  assert.deepEqual(req.signatureAlgorithm, { name: 'ECDSA', hash: { name: 'SHA-256' } });
  const san = new x509.SubjectAlternativeNameExtension(req.getExtension('2.5.29.17')!.rawData);
  assert.deepEqual(san.names.toJSON(), [{ type: 'url', value: ID }]);

  // The CSR carries the public half of the returned key, so the issued certificate will match it.
  const parsed = await parseCsr(csrPem);
  const csrSpki = Buffer.from(parsed.publicKey.rawData);
  assert.deepEqual(csrSpki, createPublicKey(key).export({ type: 'spki', format: 'der' }));
});

test('the CSR signature verifies with the public half of the returned key', async () => {
  const { csrPem, keyPem } = await createCsr(ID);
  const req = new x509.Pkcs10CertificateRequest(csrPem);
  assert.equal(await req.verify(webcrypto), true);

  // The same with node:crypto alone: the DER signature in the BIT STRING covers certificationRequestInfo's DER.
  const der = Buffer.from(req.rawData);
  const info = tlvAt(der, headerLength(der));
  const algorithm = tlvAt(der, headerLength(der) + info.length);
  const bitString = tlvAt(der, headerLength(der) + info.length + algorithm.length);
  assert.equal(bitString[0], 0x03);
  const signature = bitString.subarray(headerLength(bitString) + 1); // after the unused-bits octet
  const publicKey = createPublicKey(createPrivateKey(keyPem));
  assert.equal(verify('sha256', info, { key: publicKey, dsaEncoding: 'der' }, signature), true);
  const tampered = Buffer.from(info);
  tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
  assert.equal(verify('sha256', tampered, { key: publicKey, dsaEncoding: 'der' }, signature), false);
});

test('the CA signs a certificate from the CSR for that identity and that key', async () => {
  const ca = await CertificateAuthority.generate();
  const { csrPem, keyPem } = await createCsr(ID);
  const [leafPem] = await ca.sign(csrPem);
  const leaf = new NodeX509(leafPem as string);
  assert.deepEqual(spiffeIdsOf(leaf).map(String), [ID]);
  assert.equal(leaf.checkPrivateKey(createPrivateKey(keyPem)), true);
});

test('createCsr makes a new key every time', async () => {
  const a = await createCsr(ID);
  const b = await createCsr(SpiffeId.parse(ID));
  assert.notEqual(a.keyPem, b.keyPem);
});

test('createCsr refuses an invalid SPIFFE ID with ERR_IDENTITY_INVALID_SPIFFE_ID', async () => {
  await assert.rejects(createCsr('spiffe://cluster.local/foo'), {
    code: 'ERR_IDENTITY_INVALID_SPIFFE_ID',
    message: /expected path \/ns\/<ns>\/sa\/<sa>, got \/foo/,
  });
});

/** Length of the tag and length octets of the DER element at the start of `der`. */
function headerLength(der: Buffer): number {
  const first = der[1] as number;
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

/** The whole DER element (tag, length, contents) starting at `offset`. */
function tlvAt(der: Buffer, offset: number): Buffer {
  const rest = der.subarray(offset);
  const first = rest[1] as number;
  const lengthBytes = first < 0x80 ? 0 : first & 0x7f;
  const length = first < 0x80 ? first : rest.subarray(2, 2 + lengthBytes).readUIntBE(0, lengthBytes);
  return rest.subarray(0, 2 + lengthBytes + length);
}
