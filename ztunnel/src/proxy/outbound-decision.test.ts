import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toAddress } from '../state/convert.ts';
import { ProxyState } from '../state/store.ts';
import type { Workload } from '../state/types.ts';
import { pickEndpoint } from './endpoint-pick.ts';
import { decideOutbound } from './outbound-decision.ts';

const SVC = 'default/echo.default.svc.cluster.local';
const WP = 'default/waypoint.default.svc.cluster.local';

function state(): ProxyState {
  const s = new ProxyState();
  const add = (name: string, raw: object) => s.upsertAddress(name, toAddress(raw, 'cluster.local'));
  add('src', { workload: { uid: 'src', namespace: 'default', workloadIps: ['10.0.0.1'], protocol: 'HBONE' } });
  add('echo-1', { workload: { uid: 'echo-1', namespace: 'default', serviceAccount: 'echo', workloadIps: ['10.0.0.2'], protocol: 'HBONE', services: { [SVC]: { 80: 8080 } } } });
  add('plain', { workload: { uid: 'plain', namespace: 'default', workloadIps: ['10.0.0.3'] } });
  add('wp-pod', { workload: { uid: 'wp-pod', namespace: 'default', serviceAccount: 'waypoint', workloadIps: ['10.0.0.9'], protocol: 'HBONE', services: { [WP]: { 15008: 15008 } } } });
  add('behind-wp', { workload: { uid: 'behind-wp', namespace: 'default', workloadIps: ['10.0.0.4'], protocol: 'HBONE', waypoint: { hostname: { namespace: 'default', hostname: 'waypoint.default.svc.cluster.local' }, hboneMtlsPort: 15008 } } });
  add(SVC, { service: { name: 'echo', namespace: 'default', hostname: 'echo.default.svc.cluster.local', vips: ['/10.96.0.10'], ports: { 80: 8080 }, subjectAltNames: ['spiffe://cluster.local/ns/default/sa/extra'] } });
  add(WP, { service: { name: 'waypoint', namespace: 'default', hostname: 'waypoint.default.svc.cluster.local', vips: ['/10.96.0.99'], ports: { 15008: 15008 } } });
  add('default/empty.default.svc.cluster.local', { service: { namespace: 'default', hostname: 'empty.default.svc.cluster.local', vips: ['/10.96.0.11'], ports: { 80: 80 } } });
  add('default/wp-svc', { service: { namespace: 'default', hostname: 'wp-svc', vips: ['/10.96.0.12'], ports: { 80: 80 }, waypoint: { hostname: { namespace: 'default', hostname: 'waypoint.default.svc.cluster.local' } } } });
  return s;
}

describe('decideOutbound', () => {
  const s = state();
  const source = s.workloadByUid('src');
  const rows: [string, string, number, Record<string, unknown>][] = [
    ['service VIP → HBONE to the endpoint, target port mapped', '10.96.0.10', 80, { kind: 'hbone', dialIp: '10.0.0.2', dialPort: 15008, authority: '10.0.0.2:8080', viaWaypoint: false }],
    ['pod IP of an HBONE workload → HBONE', '10.0.0.2', 8080, { kind: 'hbone', authority: '10.0.0.2:8080' }],
    ['pod IP of a non-mesh workload → plain TCP', '10.0.0.3', 80, { kind: 'tcp', ip: '10.0.0.3', port: 80 }],
    ['unknown IP → passthrough', '192.0.2.1', 443, { kind: 'passthrough', ip: '192.0.2.1', port: 443 }],
    ['service without endpoints → no healthy upstream', '10.96.0.11', 80, { kind: 'refuse', code: 'ERR_ZTUNNEL_NO_HEALTHY_UPSTREAM' }],
    ['service with a waypoint → HBONE to the waypoint, authority = VIP:port', '10.96.0.12', 80, { kind: 'hbone', dialIp: '10.0.0.9', authority: '10.96.0.12:80', viaWaypoint: true }],
    ['workload with a waypoint, by pod IP → waypoint, authority = pod IP:port', '10.0.0.4', 80, { kind: 'hbone', dialIp: '10.0.0.9', authority: '10.0.0.4:80', viaWaypoint: true }],
    ['loopback to 15001 → self-call', '127.0.0.1', 15001, { kind: 'refuse', code: 'ERR_ZTUNNEL_SELF_CALL' }],
    ['own IP to 15008 → self-call', '10.0.0.1', 15008, { kind: 'refuse', code: 'ERR_ZTUNNEL_SELF_CALL' }],
  ];
  for (const [name, ip, port, want] of rows) {
    it(name, () => {
      const got = decideOutbound(s, { source, network: '', dstIp: ip, dstPort: port, random: () => 0 }) as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, `${k} of ${JSON.stringify(got.kind)}`);
    });
  }

  it('expects the workload identity plus the service SANs', () => {
    const got = decideOutbound(s, { source, network: '', dstIp: '10.96.0.10', dstPort: 80 });
    assert.equal(got.kind, 'hbone');
    if (got.kind === 'hbone') {
      assert.deepEqual(got.expectedIdentities, ['spiffe://cluster.local/ns/default/sa/echo', 'spiffe://cluster.local/ns/default/sa/extra']);
    }
  });
});

describe('pickEndpoint', () => {
  const w = (uid: string, capacity: number, healthy = true) => ({ uid, capacity, healthy, addresses: ['10.0.0.1'] }) as unknown as Workload;
  it('weights by capacity and skips unhealthy endpoints', () => {
    const eps = [w('a', 1), w('b', 3), w('c', 100, false)];
    assert.equal(pickEndpoint({ allowUnhealthy: false }, eps, () => 0)?.uid, 'a');
    assert.equal(pickEndpoint({ allowUnhealthy: false }, eps, () => 0.3)?.uid, 'b');
    assert.equal(pickEndpoint({ allowUnhealthy: false }, eps, () => 0.999)?.uid, 'b');
    assert.equal(pickEndpoint({ allowUnhealthy: true }, eps, () => 0.999)?.uid, 'c');
    assert.equal(pickEndpoint({ allowUnhealthy: false }, [w('x', 1, false)]), undefined);
  });
});
