import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCode } from '../errors.ts';
import { convertPeerAuthentication, readPeerAuthentication } from './convert-peer-authentication.ts';
import { toProtoJson } from './proto-json.ts';

const ROOT = 'istio-system';

function pa(name: string, namespace: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace }, spec };
}
const mesh = (mode: string) => pa('mesh', ROOT, { mtls: { mode } });
const nsWide = (mode: string) => pa('ns', 'foo', { mtls: { mode } });
const workload = (mode: string | null, ports: Record<string, string>) =>
  pa('wl', 'foo', {
    selector: { matchLabels: { app: 'a' } },
    ...(mode ? { mtls: { mode } } : {}),
    portLevelMtls: Object.fromEntries(Object.entries(ports).map(([p, m]) => [p, { mode: m }])),
  });

const strictPort = (port: number) => ({ rules: [{ matches: [{ destinationPorts: [port], notPrincipals: [{ presence: {} }] }] }] });

describe('convertPeerAuthentication beyond the goldens', () => {
  const cases = [
    {
      name: 'workload in the root namespace is skipped',
      args: [pa('wl', ROOT, { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { 80: { mode: 'STRICT' } } })],
      groups: null,
    },
    { name: 'selector without port-level mTLS is skipped', args: [pa('wl', 'foo', { selector: {}, mtls: { mode: 'STRICT' } })], groups: null },
    { name: 'ports are visited in numeric order', args: [workload('PERMISSIVE', { 9000: 'STRICT', 80: 'STRICT' })], groups: [strictPort(80), strictPort(9000)] },
    {
      name: 'UNSET workload with a STRICT namespace drops STRICT ports (the namespace covers them)',
      args: [workload(null, { 80: 'STRICT' }), nsWide('STRICT'), null],
      groups: null,
    },
    {
      // istiod's third "parent is STRICT" case is not guarded by the workload mode being UNSET; we keep that.
      name: 'PERMISSIVE workload under a STRICT mesh drops its STRICT port, as istiod does',
      args: [workload('PERMISSIVE', { 80: 'STRICT' }), null, mesh('STRICT')],
      groups: null,
    },
    {
      name: 'PERMISSIVE namespace under a STRICT mesh: no merge, port stays STRICT',
      args: [workload(null, { 80: 'STRICT' }), nsWide('PERMISSIVE'), mesh('STRICT')],
      groups: [strictPort(80)],
    },
  ] as const;
  for (const c of cases) {
    test(c.name, () => {
      const [w, n, m] = c.args as readonly unknown[];
      const out = convertPeerAuthentication(ROOT, w, n, m);
      if (c.groups === null) {
        assert.equal(out, null);
      } else {
        assert.ok(out);
        assert.equal(out.name, 'converted_peer_authentication_wl');
        assert.deepEqual(toProtoJson(out).groups, c.groups);
      }
    });
  }
});

describe('readPeerAuthentication refuses bad input', () => {
  const cases = [
    { name: 'unknown mode', input: pa('x', 'foo', { mtls: { mode: 'SORTA' } }), message: /spec.mtls.mode must be one of UNSET, DISABLE, PERMISSIVE, STRICT/ },
    { name: 'port key not a number', input: pa('x', 'foo', { portLevelMtls: { http: { mode: 'STRICT' } } }), message: /portLevelMtls key must be a port number/ },
    { name: 'port 0', input: pa('x', 'foo', { portLevelMtls: { 0: { mode: 'STRICT' } } }), message: /portLevelMtls key must be a port number/ },
    { name: 'mode of wrong type', input: pa('x', 'foo', { mtls: { mode: 3 } }), message: /spec.mtls.mode must be a string/ },
    { name: 'unknown spec field', input: pa('x', 'foo', { mtl: {} }), message: /unknown field spec.mtl/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => readPeerAuthentication(c.input),
        (err: unknown) => hasCode(err, 'ERR_AUTHZ_INVALID_POLICY') && c.message.test((err as Error).message),
      );
    });
  }
});
