import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

test('defaults follow the contract', () => {
  const { config } = loadConfig({});
  assert.deepEqual(config.grpcAddr, { host: '0.0.0.0', port: 15012 });
  assert.deepEqual(config.httpAddr, { host: '0.0.0.0', port: 15014 });
  assert.equal(config.namespace, 'istio-system');
  assert.equal(config.trustDomain, 'cluster.local');
  assert.equal(config.clusterId, 'Kubernetes');
  assert.equal(config.network, '');
  assert.deepEqual(config.caTrustedNodeAccounts, ['istio-system/ztunnel']);
  assert.deepEqual(config.tokenAudiences, ['istio-ca']);
  assert.equal(config.defaultWorkloadCertTtlMs, 24 * 3_600_000);
  assert.equal(config.maxWorkloadCertTtlMs, 2160 * 3_600_000);
  assert.equal(config.debounceAfterMs, 100);
  assert.equal(config.debounceMaxMs, 1000);
});

test('env values are read, and every bad variable is named at once', () => {
  const { config } = loadConfig({ ISTIOD_GRPC_ADDR: '127.0.0.1:0', PILOT_DEBOUNCE_AFTER: '20ms', ISTIOD_SERVING_SANS: 'a.b,10.0.0.1', LOG_FORMAT: 'json' });
  assert.equal(config.grpcAddr.port, 0);
  assert.equal(config.debounceAfterMs, 20);
  assert.deepEqual(config.servingSans, ['a.b', '10.0.0.1']);
  assert.equal(config.logFormat, 'json');
  assert.throws(
    () => loadConfig({ ISTIOD_HTTP_ADDR: 'nope', PILOT_DEBOUNCE_AFTER: 'soon', LOG_LEVEL: 'loud' }),
    (err: Error) => /ISTIOD_HTTP_ADDR/.test(err.message) && /PILOT_DEBOUNCE_AFTER/.test(err.message) && /LOG_LEVEL/.test(err.message),
  );
});
