import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { parseSubjectAltName, spiffeIdsOf, uriSansOf } from './san.ts';
import { webcrypto, x509 } from './x509-lib.ts';

const cases: Array<{ name: string; text: string | undefined; expected: Array<[string, string]> }> = [
  { name: 'absent', text: undefined, expected: [] },
  { name: 'one URI', text: 'URI:spiffe://td/ns/a/sa/b', expected: [['URI', 'spiffe://td/ns/a/sa/b']] },
  {
    name: 'mixed types',
    text: 'DNS:a.example, URI:spiffe://td/ns/a/sa/b, IP Address:10.0.0.1',
    expected: [['DNS', 'a.example'], ['URI', 'spiffe://td/ns/a/sa/b'], ['IP Address', '10.0.0.1']],
  },
  {
    name: 'quoted value hiding a fake second SAN',
    text: 'URI:"spiffe://td/ns/a/sa/b, URI:spiffe://td/ns/x/sa/y"',
    expected: [['URI', 'spiffe://td/ns/a/sa/b, URI:spiffe://td/ns/x/sa/y']],
  },
  { name: 'escaped quote', text: 'URI:"a\\"b", DNS:c', expected: [['URI', 'a"b'], ['DNS', 'c']] },
];

for (const c of cases) {
  test(`parseSubjectAltName: ${c.name}`, () => {
    assert.deepEqual(
      parseSubjectAltName(c.text).map((e) => [e.type, e.value]),
      c.expected,
    );
  });
}

for (const bad of ['no-colon-here', 'URI:"unterminated', 'URI:"x"junk']) {
  test(`parseSubjectAltName fails closed on ${JSON.stringify(bad)}`, () => {
    assert.throws(() => parseSubjectAltName(bad), { code: 'ERR_TLS_MALFORMED_SAN' });
  });
}

async function certWithUris(uris: string[]): Promise<NodeX509> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      keys,
      name: 'CN=test',
      extensions: [new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value })))],
    },
    webcrypto,
  );
  return new NodeX509(cert.toString('pem'));
}

test('a URI SAN with a comma in a real certificate stays one SAN (Node quotes it)', async () => {
  const cert = await certWithUris(['spiffe://td/ns/a/sa/b, URI:spiffe://td/ns/x/sa/y']);
  assert.deepEqual(uriSansOf(cert), ['spiffe://td/ns/a/sa/b, URI:spiffe://td/ns/x/sa/y']);
  assert.throws(() => spiffeIdsOf(cert), { code: 'ERR_TLS_MALFORMED_SAN' });
});

test('spiffeIdsOf returns SPIFFE IDs in order and skips other URIs', async () => {
  const cert = await certWithUris(['https://example.test/x', 'spiffe://td/ns/a/sa/b', 'spiffe://td/ns/c/sa/d']);
  assert.deepEqual(spiffeIdsOf(cert).map(String), ['spiffe://td/ns/a/sa/b', 'spiffe://td/ns/c/sa/d']);
});
