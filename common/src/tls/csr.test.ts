import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { SpiffeId } from '../identity/index.ts';
import { createCsr } from './csr.ts';
import { parseCsr } from './csr-parse.ts';
import { x509 } from './x509-lib.ts';

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
