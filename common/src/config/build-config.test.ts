import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig, setting } from './build-config.ts';
import { envAddress, envDuration, envInt, envList, envString } from './env.ts';
import { ConfigError } from './config-error.ts';

const spec = {
  xdsAddress: setting({
    env: 'XDS_ADDRESS',
    default: { host: 'istiod', port: 15012 },
    doc: 'Where to reach istiod for xDS.',
    parse: envAddress,
  }),
  connectTimeoutMs: setting({ env: 'CONNECT_TIMEOUT', default: 10_000, doc: 'Upstream connect timeout.', parse: envDuration }),
  workers: setting({
    env: 'WORKER_THREADS',
    default: 2,
    doc: 'Worker count.',
    parse: (e, n, d) => envInt(e, n, d, { min: 1 }),
  }),
  trustDomains: setting({ env: 'TRUST_DOMAINS', default: ['cluster.local'], doc: 'Accepted trust domains.', parse: envList }),
  token: setting({ env: 'TOKEN', default: '', doc: 'Bearer token.', parse: envString, secret: true }),
};

test('buildConfig reads every setting and freezes the result', () => {
  const { config } = buildConfig(spec, { CONNECT_TIMEOUT: '2s', TRUST_DOMAINS: 'a,b', TOKEN: 'sekret' });
  assert.deepEqual(config, {
    xdsAddress: { host: 'istiod', port: 15012 },
    connectTimeoutMs: 2000,
    workers: 2,
    trustDomains: ['a', 'b'],
    token: 'sekret',
  });
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.trustDomains));
  assert.throws(() => (config.trustDomains as string[]).push('c'), TypeError);
});

test('buildConfig describes each setting with value, default, doc and source; secrets are redacted', () => {
  const { entries } = buildConfig(spec, { WORKER_THREADS: '4', TOKEN: 'sekret' });
  const workers = entries.find((e) => e.name === 'workers');
  assert.deepEqual(workers, {
    name: 'workers',
    env: 'WORKER_THREADS',
    value: 4,
    default: 2,
    doc: 'Worker count.',
    source: 'env',
  });
  assert.equal(entries.find((e) => e.name === 'connectTimeoutMs')?.source, 'default');
  const token = entries.find((e) => e.name === 'token');
  assert.equal(token?.value, '<redacted>');
  assert.ok(!JSON.stringify(entries).includes('sekret'));
  assert.equal(entries.length, Object.keys(spec).length);
});

test('buildConfig reports every invalid variable in one error', () => {
  assert.throws(
    () => buildConfig(spec, { WORKER_THREADS: '0', CONNECT_TIMEOUT: 'forever', XDS_ADDRESS: 'istiod:1' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.code, 'ERR_CONFIG_INVALID');
      assert.match(e.message, /^2 invalid settings/);
      assert.match(e.message, /WORKER_THREADS="0"/);
      assert.match(e.message, /CONNECT_TIMEOUT="forever"/);
      assert.doesNotMatch(e.message, /XDS_ADDRESS/);
      return true;
    },
  );
});

test('buildConfig with a single bad variable throws that variable\'s error', () => {
  assert.throws(() => buildConfig(spec, { WORKER_THREADS: 'x' }), /^ConfigError: WORKER_THREADS="x" is invalid/);
});

test('buildConfig wraps a reader that throws a non-config error', () => {
  const bad = {
    a: setting({
      env: 'A',
      default: 1,
      doc: 'a',
      parse: (): number => {
        throw new Error('boom');
      },
    }),
  };
  assert.throws(() => buildConfig(bad, {}), (e: unknown) => e instanceof ConfigError && /A: Error: boom/.test(e.message));
});
