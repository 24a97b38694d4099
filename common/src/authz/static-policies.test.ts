import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../errors.ts';
import { toProtoJson } from './proto-json.ts';
import { staticStrictPolicy, waypointAllowPolicy } from './static-policies.ts';

test('static strict policy denies connections without an identity', () => {
  assert.deepEqual(toProtoJson(staticStrictPolicy('mesh-root')), {
    name: 'istio_converted_static_strict',
    namespace: 'mesh-root',
    scope: 'WORKLOAD_SELECTOR',
    action: 'DENY',
    groups: [{ rules: [{ matches: [{ notPrincipals: [{ presence: {} }] }] }] }],
  });
});

test('waypoint allow policy lists the waypoint identities without spiffe://', () => {
  const out = waypointAllowPolicy({ namespace: 'ns1', name: 'wp', serviceAccounts: ['wp', 'other'] }, 'td.example');
  assert.ok(out);
  assert.deepEqual(toProtoJson(out), {
    name: 'istio_allow_waypoint_ns1_wp',
    namespace: 'ns1',
    scope: 'WORKLOAD_SELECTOR',
    groups: [{ rules: [{ matches: [{ principals: [{ exact: 'td.example/ns/ns1/sa/wp' }, { exact: 'td.example/ns/ns1/sa/other' }] }] }] }],
  });
});

test('waypoint without service accounts gets no policy', () => {
  assert.equal(waypointAllowPolicy({ namespace: 'ns1', name: 'wp', serviceAccounts: [] }, 'cluster.local'), null);
});

test('waypoint allow policy needs a trust domain', () => {
  assert.throws(
    () => waypointAllowPolicy({ namespace: 'ns1', name: 'wp', serviceAccounts: ['a'] }, ''),
    (err: unknown) => hasCode(err, 'ERR_AUTHZ_INVALID_POLICY'),
  );
});
