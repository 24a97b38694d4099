import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toAddress } from './convert.ts';
import { parseLocalConfig } from './local-file.ts';
import { ProxyState } from './store.ts';

const wl = (uid: string, ip: string, extra: Record<string, unknown> = {}) =>
  toAddress({ workload: { uid, name: uid, namespace: 'ns', addresses: [Buffer.from(ip.split('.').map(Number))], ...extra } }, 'cluster.local');

describe('ProxyState', () => {
  it('indexes workloads by uid and network/IP, and forgets old IPs on update', () => {
    const s = new ProxyState();
    s.upsertAddress('a', wl('a', '10.0.0.1'));
    assert.equal(s.workloadByIp('', '10.0.0.1')?.uid, 'a');
    assert.equal(s.workloadByIp('', '::ffff:10.0.0.1')?.uid, 'a', 'v4-mapped socket addresses find the workload');
    s.upsertAddress('a', wl('a', '10.0.0.2'));
    assert.equal(s.workloadByIp('', '10.0.0.1'), undefined);
    assert.equal(s.workloadByIp('', '10.0.0.2')?.uid, 'a');
    assert.equal(s.workloadByIp('other', '10.0.0.2'), undefined, 'the network is part of the key');
    s.removeAddress('a');
    assert.equal(s.workloadByUid('a'), undefined);
  });

  it('indexes services by VIP and lists their endpoints', () => {
    const s = new ProxyState();
    s.upsertAddress('ns/svc.ns.svc.cluster.local', toAddress({ service: { name: 'svc', namespace: 'ns', hostname: 'svc.ns.svc.cluster.local', addresses: [{ network: '', address: Buffer.from([10, 96, 0, 1]) }], ports: [{ service_port: 80, target_port: 8080 }] } }, 'cluster.local'));
    s.upsertAddress('a', wl('a', '10.0.0.1', { services: { 'ns/svc.ns.svc.cluster.local': { ports: [{ service_port: 80, target_port: 8080 }] } } }));
    s.upsertAddress('b', wl('b', '10.0.0.2'));
    const svc = s.serviceByVip('', '10.96.0.1');
    assert.ok(svc);
    assert.deepEqual(s.endpointsOf(svc).map((w) => w.uid), ['a']);
    s.removeAddress('a');
    assert.deepEqual(s.endpointsOf(svc), []);
  });

  it('tells listeners what changed', () => {
    const s = new ProxyState();
    const seen: string[] = [];
    s.onChange((c) => seen.push(c));
    s.upsertAddress('a', wl('a', '10.0.0.1'));
    s.removeAddress('missing');
    assert.deepEqual(seen, ['workloads']);
  });
});

describe('conversion', () => {
  it('names the bad field', () => {
    assert.throws(() => toAddress({ workload: { uid: '' } }, 'td'), /uid is empty/);
    assert.throws(() => toAddress({ workload: { uid: 'x', addresses: [Buffer.from([1, 2, 3])] } }, 'td'), /4 or 16 bytes/);
    assert.throws(() => toAddress({}, 'td'), /neither a workload nor a service/);
  });

  it('fills defaults like ztunnel (service account, trust domain, capacity)', () => {
    const v = wl('a', '10.0.0.1');
    assert.equal(v.kind, 'workload');
    if (v.kind !== 'workload') return;
    assert.equal(v.workload.serviceAccount, 'default');
    assert.equal(v.workload.trustDomain, 'cluster.local');
    assert.equal(v.workload.capacity, 1);
    assert.equal(v.workload.tunnel, 'NONE');
  });
});

describe('local config file', () => {
  it('reads workloads, services and policies in camelCase with text IPs', () => {
    const cfg = parseLocalConfig(
      `
workloads:
  - uid: Kubernetes//Pod/default/a
    name: a
    namespace: default
    serviceAccount: sleep
    workloadIps: [10.0.0.1]
    protocol: HBONE
    services:
      default/echo.default.svc.cluster.local: {80: 8080}
services:
  - name: echo
    namespace: default
    hostname: echo.default.svc.cluster.local
    vips: [/10.96.0.10]
    ports: {80: 8080}
policies:
  - name: deny-all
    namespace: default
    scope: NAMESPACE
    action: DENY
    groups: [{}]
`,
      'cluster.local',
    );
    const a = cfg.addresses.get('Kubernetes//Pod/default/a');
    assert.equal(a?.kind, 'workload');
    if (a?.kind === 'workload') {
      assert.deepEqual(a.workload.addresses, ['10.0.0.1']);
      assert.equal(a.workload.tunnel, 'HBONE');
      assert.deepEqual(a.workload.services['default/echo.default.svc.cluster.local'], [{ servicePort: 80, targetPort: 8080 }]);
    }
    const svc = cfg.addresses.get('default/echo.default.svc.cluster.local');
    assert.equal(svc?.kind, 'service');
    assert.equal(cfg.policies.get('default/deny-all')?.action, 'DENY');
  });

  it('refuses a bad file naming the entry', () => {
    assert.throws(() => parseLocalConfig('workloads: [{uid: x, workloadIps: [nope]}]', 'td'), /workloads\[0\].*not an IP/);
    assert.throws(() => parseLocalConfig('bogus: 1', 'td'), /unknown keys: bogus/);
  });

  it('reads JSON (YAML too) the same, and reports YAML errors for text that only looks like JSON', () => {
    const json = JSON.stringify({ workloads: [{ uid: 'u1', name: 'a', namespace: 'default', workloadIps: ['10.0.0.7'], protocol: 'HBONE' }] });
    const a = parseLocalConfig(`  ${json}\n`, 'td').addresses.get('u1');
    assert.equal(a?.kind, 'workload');
    if (a?.kind === 'workload') assert.deepEqual(a.workload.addresses, ['10.0.0.7']);
    // A flow mapping with unquoted keys is YAML but not JSON: the YAML parser takes it.
    assert.equal(parseLocalConfig('{workloads: [{uid: u2, workloadIps: [10.0.0.8]}]}', 'td').addresses.get('u2')?.kind, 'workload');
    assert.throws(() => parseLocalConfig('{"workloads": [', 'td'), /ERR_ZTUNNEL_LOCAL_CONFIG|not YAML/);
  });
});

describe('local config reload', () => {
  it('applies a changed file and keeps the last good state on a bad one', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadLocalConfig, watchLocalConfig } = await import('./local-file.ts');
    const { waitUntil } = await import('@mesh/common/testing');
    const dir = mkdtempSync(join(tmpdir(), 'zt-local-'));
    const file = join(dir, 'local.yaml');
    const s = new ProxyState();
    const reports: string[] = [];
    let stop: (() => void) | undefined;
    try {
      writeFileSync(file, 'workloads: [{uid: w1, workloadIps: [10.0.0.1]}]\n');
      await loadLocalConfig(file, s, 'cluster.local');
      stop = watchLocalConfig(file, s, 'cluster.local', (err) => reports.push(err ? err.message : 'ok'), 20);
      writeFileSync(file, 'workloads: [{uid: w2, name: changed, workloadIps: [10.0.0.2]}]\n');
      await waitUntil('reload', () => s.workloadByUid('w2') !== undefined, 10_000);
      assert.equal(s.workloadByUid('w1'), undefined);
      writeFileSync(file, 'workloads: [{uid: w3, workloadIps: [not-an-ip]}]\n');
      await waitUntil('bad file reported', () => reports.some((r) => r.includes('not an IP')), 10_000);
      assert.equal(s.workloadByUid('w2')?.uid, 'w2', 'the last good state stays');
    } finally {
      stop?.();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
