import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpiffeId } from './spiffe-id.ts';
import { IdentityError } from './identity-error.ts';

const CODE = 'ERR_IDENTITY_INVALID_SPIFFE_ID';

const valid: Array<{ name: string; uri: string; td: string; ns: string; sa: string }> = [
  { name: 'default trust domain', uri: 'spiffe://cluster.local/ns/default/sa/sleep', td: 'cluster.local', ns: 'default', sa: 'sleep' },
  { name: 'single-label trust domain', uri: 'spiffe://mesh/ns/a/sa/b', td: 'mesh', ns: 'a', sa: 'b' },
  { name: 'dashes, dots and digits', uri: 'spiffe://td-1.example.org/ns/kube-system/sa/sa.v2-x', td: 'td-1.example.org', ns: 'kube-system', sa: 'sa.v2-x' },
  { name: 'namespace literally named ns', uri: 'spiffe://cluster.local/ns/ns/sa/sa', td: 'cluster.local', ns: 'ns', sa: 'sa' },
];

for (const c of valid) {
  test(`SpiffeId.parse accepts ${c.name}`, () => {
    const id = SpiffeId.parse(c.uri);
    assert.equal(id.trustDomain, c.td);
    assert.equal(id.namespace, c.ns);
    assert.equal(id.serviceAccount, c.sa);
    assert.equal(id.toString(), c.uri);
    assert.equal(id.toPrincipal(), c.uri.slice('spiffe://'.length));
    assert.ok(SpiffeId.parsePrincipal(id.toPrincipal()).equals(id));
  });
}

const invalid: Array<{ name: string; uri: string; says: RegExp }> = [
  { name: 'empty string', uri: '', says: /starting with "spiffe:\/\/"/ },
  { name: 'other scheme', uri: 'https://cluster.local/ns/a/sa/b', says: /starting with "spiffe:\/\/"/ },
  { name: 'uppercase scheme', uri: 'SPIFFE://cluster.local/ns/a/sa/b', says: /starting with "spiffe:\/\/"/ },
  { name: 'no path', uri: 'spiffe://cluster.local', says: /expected path/ },
  { name: 'wrong path', uri: 'spiffe://cluster.local/foo', says: /expected path \/ns\/<ns>\/sa\/<sa>, got \/foo$/ },
  { name: 'too few segments', uri: 'spiffe://cluster.local/ns/a/sa', says: /expected path/ },
  { name: 'too many segments', uri: 'spiffe://cluster.local/ns/a/sa/b/c', says: /expected path/ },
  { name: 'trailing slash', uri: 'spiffe://cluster.local/ns/a/sa/b/', says: /expected path/ },
  { name: 'swapped literals', uri: 'spiffe://cluster.local/sa/a/ns/b', says: /expected path/ },
  { name: 'uppercase literal', uri: 'spiffe://cluster.local/NS/a/sa/b', says: /expected path/ },
  { name: 'empty namespace', uri: 'spiffe://cluster.local/ns//sa/b', says: /namespace is empty/ },
  { name: 'empty service account', uri: 'spiffe://cluster.local/ns/a/sa/', says: /service account is empty/ },
  { name: 'dot-dot segment', uri: 'spiffe://cluster.local/ns/../sa/b', says: /namespace must not be "\.\."/ },
  { name: 'query', uri: 'spiffe://cluster.local/ns/a/sa/b?x=1', says: /query/ },
  { name: 'fragment', uri: 'spiffe://cluster.local/ns/a/sa/b#frag', says: /fragment/ },
  { name: 'percent-encoding', uri: 'spiffe://cluster.local/ns/a%20/sa/b', says: /percent-encoding/ },
  { name: 'empty trust domain', uri: 'spiffe:///ns/a/sa/b', says: /trust domain is empty/ },
  { name: 'uppercase trust domain', uri: 'spiffe://Cluster.Local/ns/a/sa/b', says: /must be lowercase/ },
  { name: 'trust domain with port', uri: 'spiffe://cluster.local:443/ns/a/sa/b', says: /no port/ },
  { name: 'trust domain with user info', uri: 'spiffe://u@cluster.local/ns/a/sa/b', says: /no user info/ },
  { name: 'trust domain with empty label', uri: 'spiffe://cluster..local/ns/a/sa/b', says: /non-empty labels/ },
  { name: 'space in service account', uri: 'spiffe://cluster.local/ns/a/sa/b c', says: /service account "b c"/ },
  { name: 'comma in namespace', uri: 'spiffe://cluster.local/ns/a,b/sa/c', says: /namespace "a,b"/ },
];

for (const c of invalid) {
  test(`SpiffeId.parse rejects ${c.name}`, () => {
    assert.throws(
      () => SpiffeId.parse(c.uri),
      (err: unknown) => err instanceof IdentityError && err.code === CODE && c.says.test(err.message),
    );
    assert.equal(SpiffeId.tryParse(c.uri), undefined);
  });
}

test('SpiffeId.parse rejects a non-string at runtime with the same code', () => {
  assert.throws(() => SpiffeId.parse(42 as unknown as string), { code: CODE, message: /expected a string/ });
});

test('SpiffeId.parse rejects an overlong ID', () => {
  const uri = `spiffe://cluster.local/ns/a/sa/${'x'.repeat(2100)}`;
  assert.throws(() => SpiffeId.parse(uri), { code: CODE, message: /longer than 2048/ });
});

const invalidPrincipals: Array<{ name: string; principal: string; says: RegExp }> = [
  { name: 'URI form', principal: 'spiffe://cluster.local/ns/a/sa/b', says: /no "spiffe:\/\/" prefix/ },
  { name: 'no slash', principal: 'cluster.local', says: /expected <trust-domain>/ },
  { name: 'wrong path', principal: 'cluster.local/ns/a', says: /expected path/ },
  { name: 'leading slash', principal: '/ns/a/sa/b', says: /trust domain is empty/ },
  { name: 'wildcard', principal: 'cluster.local/ns/a/sa/*', says: /may only contain/ },
];

for (const c of invalidPrincipals) {
  test(`SpiffeId.parsePrincipal rejects ${c.name}`, () => {
    assert.throws(() => SpiffeId.parsePrincipal(c.principal), { code: CODE, message: c.says });
  });
}

test('SpiffeId.of validates its parts and formats both forms', () => {
  const id = SpiffeId.of({ trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'bookinfo' });
  assert.equal(id.toString(), 'spiffe://cluster.local/ns/default/sa/bookinfo');
  assert.equal(id.toPrincipal(), 'cluster.local/ns/default/sa/bookinfo');
  assert.equal(JSON.stringify({ id }), '{"id":"spiffe://cluster.local/ns/default/sa/bookinfo"}');
  assert.throws(() => SpiffeId.of({ trustDomain: 'cluster.local', namespace: '', serviceAccount: 'x' }), {
    code: CODE,
    message: /namespace is empty/,
  });
  assert.throws(() => SpiffeId.of({ trustDomain: 'A', namespace: 'a', serviceAccount: 'x' }), { code: CODE });
});

test('equals compares all three parts', () => {
  const a = SpiffeId.parse('spiffe://td/ns/a/sa/b');
  assert.ok(a.equals(SpiffeId.parse('spiffe://td/ns/a/sa/b')));
  assert.ok(!a.equals(SpiffeId.parse('spiffe://td2/ns/a/sa/b')));
  assert.ok(!a.equals(SpiffeId.parse('spiffe://td/ns/x/sa/b')));
  assert.ok(!a.equals(SpiffeId.parse('spiffe://td/ns/a/sa/x')));
  assert.ok(Object.isFrozen(a));
});
