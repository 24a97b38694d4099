import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCsr } from './csr.ts';
import { parseCsr } from './csr-parse.ts';
import { toPem } from './pem.ts';
import { webcrypto, x509 } from './x509-lib.ts';

const ID = 'spiffe://cluster.local/ns/default/sa/sleep';

/** A CSR signed by a fresh key, with whatever SANs (or none) the case needs. */
async function csrWith(sans: x509.JsonGeneralNames | undefined): Promise<string> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const req = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: sans ? [new x509.SubjectAlternativeNameExtension(sans)] : [],
    },
    webcrypto,
  );
  return toPem(req.rawData, 'CERTIFICATE REQUEST');
}

test('parseCsr accepts our CSR as PEM and as DER and returns its identity', async () => {
  const { csrPem } = await createCsr(ID);
  assert.equal((await parseCsr(csrPem)).identity.toString(), ID);
  const der = new Uint8Array(x509.PemConverter.decodeFirst(csrPem));
  assert.equal((await parseCsr(der)).identity.toString(), ID);
});

test('parseCsr accepts CRLF line ends', async () => {
  const { csrPem } = await createCsr(ID);
  assert.equal((await parseCsr(csrPem.replace(/\n/g, '\r\n'))).identity.toString(), ID);
});

const invalidInputs: Array<{ name: string; input: () => Promise<string | Uint8Array>; says: RegExp }> = [
  { name: 'empty string', input: async () => '', says: /not PEM/ },
  { name: 'garbage text', input: async () => 'hello world', says: /not PEM/ },
  {
    name: 'PEM with garbage body',
    input: async () => '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
    says: /not a DER-encoded PKCS#10/,
  },
  {
    name: 'PEM of another type',
    input: async () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    says: /found: CERTIFICATE/,
  },
  {
    name: 'two CSRs in one PEM',
    input: async () => (await createCsr(ID)).csrPem + (await createCsr(ID)).csrPem,
    says: /exactly one CERTIFICATE REQUEST/,
  },
  { name: 'empty DER', input: async () => new Uint8Array(0), says: /empty/ },
  { name: 'garbage DER', input: async () => new Uint8Array([1, 2, 3, 4]), says: /not a DER-encoded/ },
  { name: 'a number', input: async () => 42 as unknown as string, says: /PEM string or DER bytes/ },
];

for (const c of invalidInputs) {
  test(`parseCsr rejects ${c.name} with ERR_CSR_INVALID`, async () => {
    await assert.rejects(parseCsr(await c.input()), { code: 'ERR_CSR_INVALID', message: c.says });
  });
}

test('parseCsr rejects a tampered CSR with ERR_CSR_BAD_SIGNATURE', async () => {
  const { csrPem } = await createCsr(ID);
  const der = Buffer.from(x509.PemConverter.decodeFirst(csrPem));
  // Same length, different service account: the structure stays valid but the signature no longer matches.
  const at = der.indexOf(Buffer.from('sa/sleep'));
  assert.ok(at > 0);
  der.write('sa/sleeq', at, 'latin1');
  await assert.rejects(parseCsr(new Uint8Array(der)), { code: 'ERR_CSR_BAD_SIGNATURE' });
});

const sanCases: Array<{ name: string; sans: x509.JsonGeneralNames | undefined; code: string; says: RegExp }> = [
  { name: 'no SAN extension', sans: undefined, code: 'ERR_CSR_NO_SAN', says: /no URI SAN/ },
  { name: 'DNS SAN only', sans: [{ type: 'dns', value: 'a.example' }], code: 'ERR_CSR_NO_SAN', says: /no URI SAN/ },
  {
    name: 'two URI SANs',
    sans: [
      { type: 'url', value: ID },
      { type: 'url', value: 'spiffe://cluster.local/ns/other/sa/x' },
    ],
    code: 'ERR_CSR_MULTIPLE_SANS',
    says: /2 URI SANs/,
  },
  {
    name: 'URI SAN that is not SPIFFE',
    sans: [{ type: 'url', value: 'https://example.test/ns/a/sa/b' }],
    code: 'ERR_CSR_SAN_NOT_SPIFFE',
    says: /not a SPIFFE ID/,
  },
  {
    name: 'malformed SPIFFE path',
    sans: [{ type: 'url', value: 'spiffe://cluster.local/foo' }],
    code: 'ERR_CSR_SAN_NOT_SPIFFE',
    says: /expected path \/ns\/<ns>\/sa\/<sa>, got \/foo/,
  },
];

for (const c of sanCases) {
  test(`parseCsr rejects a CSR with ${c.name} with ${c.code}`, async () => {
    await assert.rejects(parseCsr(await csrWith(c.sans)), { code: c.code, message: c.says });
  });
}

test('parseCsr ignores a DNS SAN next to the one SPIFFE URI', async () => {
  const pem = await csrWith([
    { type: 'dns', value: 'a.example' },
    { type: 'url', value: ID },
  ]);
  assert.equal((await parseCsr(pem)).identity.toString(), ID);
});
