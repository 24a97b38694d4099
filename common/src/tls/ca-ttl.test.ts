import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CERT_TTL_S, MAX_CERT_TTL_S, resolveTtlSeconds } from './ca-ttl.ts';

const limits = { defaultTtlSeconds: DEFAULT_CERT_TTL_S, maxTtlSeconds: MAX_CERT_TTL_S };

const cases: Array<{ name: string; requested: number | undefined; expected: number }> = [
  { name: 'absent → default 24 h', requested: undefined, expected: 86_400 },
  { name: 'zero (proto3 unset) → default', requested: 0, expected: 86_400 },
  { name: 'one hour → one hour', requested: 3_600, expected: 3_600 },
  { name: 'exactly the maximum → kept', requested: 90 * 86_400, expected: 90 * 86_400 },
  { name: 'one year → capped at 90 days', requested: 365 * 86_400, expected: 90 * 86_400 },
];

for (const c of cases) {
  test(`resolveTtlSeconds: ${c.name}`, () => {
    assert.equal(resolveTtlSeconds(c.requested, limits), c.expected);
  });
}

test('resolveTtlSeconds caps the default too when a CA is configured with max < default', () => {
  assert.equal(resolveTtlSeconds(undefined, { defaultTtlSeconds: 600, maxTtlSeconds: 60 }), 60);
});

for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '3600' as unknown as number]) {
  test(`resolveTtlSeconds rejects ${String(bad)} with ERR_CA_INVALID_TTL`, () => {
    assert.throws(() => resolveTtlSeconds(bad, limits), { code: 'ERR_CA_INVALID_TTL', message: /requested TTL/ });
  });
}
