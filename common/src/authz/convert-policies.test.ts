import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../errors.ts';
import { convertPolicies } from './convert-policies.ts';

const ROOT = 'istio-system';
const pa = (name: string, namespace: string, spec: object, created?: string) => ({
  kind: 'PeerAuthentication',
  metadata: { name, namespace, ...(created ? { creationTimestamp: created } : {}) },
  spec,
});
const workload = pa('wl', 'foo', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } });

test('namespace context comes from the oldest selector-less PeerAuthentication of the namespace', () => {
  const objects = [
    pa('newer', 'foo', { mtls: { mode: 'PERMISSIVE' } }, '2024-02-01T00:00:00Z'),
    pa('older', 'foo', { mtls: { mode: 'STRICT' } }, '2024-01-01T00:00:00Z'),
    workload,
  ];
  const out = convertPolicies(ROOT, objects);
  // STRICT namespace + PERMISSIVE port → a merged deny for the workload, then the static strict policy.
  assert.deepEqual(out.policies.map((p) => p.name), ['converted_peer_authentication_wl', 'istio_converted_static_strict']);
  assert.equal(out.policies[0]?.groups[0]?.rules.length, 2);
});

test('with a PERMISSIVE oldest namespace policy the workload policy is not needed', () => {
  const objects = [
    pa('newer', 'foo', { mtls: { mode: 'STRICT' } }, '2024-02-01T00:00:00Z'),
    pa('older', 'foo', { mtls: { mode: 'PERMISSIVE' } }, '2024-01-01T00:00:00Z'),
    workload,
  ];
  assert.deepEqual(convertPolicies(ROOT, objects).policies.map((p) => p.name), ['istio_converted_static_strict']);
});

test('mesh context comes from the root namespace; other kinds are ignored; warnings are collected', () => {
  const objects = [
    { kind: 'ConfigMap', metadata: { name: 'x' } },
    pa('mesh', ROOT, { mtls: { mode: 'STRICT' } }),
    workload,
    { kind: 'AuthorizationPolicy', metadata: { name: 'audit', namespace: 'foo' }, spec: { action: 'AUDIT' } },
  ];
  const out = convertPolicies(ROOT, objects);
  assert.deepEqual(out.policies.map((p) => `${p.namespace}/${p.name}`), ['foo/converted_peer_authentication_wl', 'istio-system/istio_converted_static_strict']);
  assert.deepEqual(out.warnings, [{ object: 'AuthorizationPolicy foo/audit', message: 'ztunnel does not support the AUDIT action' }]);
});

test('no PeerAuthentication, no static strict policy', () => {
  const out = convertPolicies(ROOT, [{ kind: 'AuthorizationPolicy', metadata: { name: 'a', namespace: 'n' }, spec: {} }]);
  assert.deepEqual(out.policies.map((p) => p.name), ['a']);
});

test('duplicate names are refused', () => {
  const ap = { kind: 'AuthorizationPolicy', metadata: { name: 'a', namespace: 'n' }, spec: {} };
  assert.throws(() => convertPolicies(ROOT, [ap, ap]), (e: unknown) => hasCode(e, 'ERR_AUTHZ_INVALID_POLICY') && /two policies are named n\/a/.test((e as Error).message));
});
