import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEntrySpec } from './entry-spec.ts';
import { build } from './model.test-util.ts';
import type { CustomObject } from './types.ts';

function workloadEntry(spec: unknown, labels: Record<string, string> = {}): CustomObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'vm', namespace: 'default', labels }, spec };
}

function serviceEntry(endpoints: unknown[]): CustomObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'ext', namespace: 'default' },
    spec: { hosts: ['a.example.com'], ports: [{ number: 80, name: 'http' }], resolution: 'STATIC', endpoints },
  };
}

const FULL = { network: 'n1', serviceAccount: 'vm-sa', locality: 'r/z', weight: 4, labels: { app: 'legacy', version: 'v2' }, ports: { http: 8080 } };

describe('parseEntrySpec', () => {
  it('parses every field; unset strings are empty', () => {
    assert.deepEqual(parseEntrySpec(FULL, 'spec', true), {
      labels: { app: 'legacy', version: 'v2' },
      ports: { http: 8080 },
      network: 'n1',
      serviceAccount: 'vm-sa',
      locality: 'r/z',
      weight: 4,
    });
    assert.deepEqual(parseEntrySpec({}, 'spec', true), { labels: {}, ports: {}, network: '', serviceAccount: '', locality: '', weight: undefined });
  });

  it('always checks labels and ports, naming the field under `where`', () => {
    for (const strict of [true, false]) {
      assert.throws(() => parseEntrySpec({ ports: { http: 0 } }, 'spec.endpoints[2]', strict), /^ModelError: spec\.endpoints\[2\]\.ports\.http must be a port number 1-65535$/);
      assert.throws(() => parseEntrySpec({ ports: { http: 65536 } }, 'spec', strict), /spec\.ports\.http must be a port number 1-65535/);
      assert.throws(() => parseEntrySpec({ ports: { http: 80.5 } }, 'spec', strict), /spec\.ports\.http must be a port number/);
      assert.throws(() => parseEntrySpec({ ports: [80] }, 'spec', strict), /spec\.ports must be a mapping of port names to numbers/);
      assert.throws(() => parseEntrySpec({ labels: { app: 1 } }, 'spec', strict), /spec\.labels\.app must be a string/);
    }
  });

  it('strict rejects non-string fields and a bad weight; lenient ignores them', () => {
    const bad = { network: 1, serviceAccount: null, locality: ['r'], weight: 1.5 };
    assert.throws(() => parseEntrySpec({ weight: -1 }, 'spec', true), /spec\.weight must be a non-negative integer/);
    assert.throws(() => parseEntrySpec({ weight: '2' }, 'spec', true), /spec\.weight must be a non-negative integer/);
    assert.throws(() => parseEntrySpec({ network: 1 }, 'spec', true), /spec\.network must be a string/);
    assert.throws(() => parseEntrySpec({ serviceAccount: null }, 'spec', true), /spec\.serviceAccount must be a string/);
    assert.throws(() => parseEntrySpec({ locality: ['r'] }, 'spec', true), /spec\.locality must be a string/);
    // The first bad field is reported: weight before network.
    assert.throws(() => parseEntrySpec(bad, 'spec', true), /spec\.weight/);
    assert.deepEqual(parseEntrySpec(bad, 'e', false), { labels: {}, ports: {}, network: '', serviceAccount: '', locality: '', weight: 1.5 });
    assert.equal(parseEntrySpec({ weight: '2' }, 'e', false).weight, undefined);
  });
});

describe('entry workloads (WorkloadEntry and ServiceEntry endpoints)', () => {
  it('build the same workload fields from the same spec', () => {
    const model = build({
      workloadEntries: [workloadEntry({ address: '192.168.1.10', ...FULL })],
      serviceEntries: [serviceEntry([{ address: '192.168.1.20', ...FULL }])],
    });
    assert.deepEqual(model.errors, []);
    const we = model.addresses.get('Kubernetes/networking.istio.io/WorkloadEntry/default/vm');
    const se = model.addresses.get('Kubernetes/networking.istio.io/ServiceEntry/default/ext/192.168.1.20');
    assert.deepEqual(we?.aliases, ['n1/192.168.1.10']);
    assert.deepEqual(se?.aliases, ['n1/192.168.1.20']);
    for (const [w, name] of [
      [we?.value.workload, 'vm'],
      [se?.value.workload, 'ext'],
    ] as const) {
      assert.equal(w?.name, name);
      assert.equal(w?.workload_name, name);
      assert.equal(w?.namespace, 'default');
      assert.equal(w?.network, 'n1');
      assert.equal(w?.trust_domain, 'cluster.local');
      assert.equal(w?.service_account, 'vm-sa');
      assert.equal(w?.canonical_name, 'legacy');
      assert.equal(w?.canonical_revision, 'v2');
      assert.equal(w?.workload_type, 'POD');
      assert.equal(w?.status, 'HEALTHY');
      assert.equal(w?.cluster_id, 'Kubernetes');
      assert.deepEqual(w?.locality, { region: 'r', zone: 'z', subzone: '' });
      assert.deepEqual(w?.capacity, { value: 4 });
    }
    // Only the endpoint is a member of the (selector-less) host; its named port resolves through the endpoint's ports.
    assert.deepEqual(se?.value.workload?.services, { 'default/a.example.com': { ports: [{ service_port: 80, target_port: 8080 }] } });
    assert.deepEqual(we?.value.workload?.services, {});
    assert.equal(we?.value.workload?.tunnel_protocol, 'NONE');
    assert.equal(se?.value.workload?.tunnel_protocol, undefined);
  });

  it('default to the mesh network, service account `default`, the object name, no locality and no capacity', () => {
    const model = build({ workloadEntries: [workloadEntry({ address: '192.168.1.10', weight: 0 })], serviceEntries: [serviceEntry([{ address: '192.168.1.20' }])] }, { network: 'mesh' });
    const workloads = [...model.addresses.values()].filter((res) => res.value.workload);
    assert.equal(workloads.length, 2);
    for (const res of workloads) {
      const w = res.value.workload;
      assert.equal(w?.network, 'mesh');
      assert.equal(w?.service_account, 'default');
      assert.equal(w?.canonical_name, w?.name);
      assert.equal(w?.canonical_revision, 'latest');
      assert.equal(w?.locality, undefined);
      assert.equal(w?.capacity, undefined);
      assert.equal(res.aliases[0]?.startsWith('mesh/'), true);
    }
  });

  it('a WorkloadEntry rejects what an endpoint ignores', () => {
    const spec = { serviceAccount: 7, weight: -2 };
    const model = build({ workloadEntries: [workloadEntry({ address: '192.168.1.10', ...spec })], serviceEntries: [serviceEntry([{ address: '192.168.1.20', ...spec }])] });
    assert.deepEqual(model.errors, [{ object: 'WorkloadEntry default/vm', message: 'spec.weight must be a non-negative integer' }]);
    const w = model.addresses.get('Kubernetes/networking.istio.io/ServiceEntry/default/ext/192.168.1.20')?.value.workload;
    assert.equal(w?.service_account, 'default');
    assert.equal(w?.capacity, undefined);
  });

  it('an endpoint named by DNS name is skipped before its other fields are checked; a WorkloadEntry one is an error', () => {
    const model = build({
      workloadEntries: [workloadEntry({ address: 'vm.example.com' })],
      serviceEntries: [serviceEntry([{ address: 'vm.example.com', ports: { http: 0 } }, { address: '192.168.1.20' }])],
    });
    assert.deepEqual(model.errors, [
      { object: 'WorkloadEntry default/vm', message: 'spec.address "vm.example.com" is not an IP address (DNS names are not resolved)' },
    ]);
    assert.ok(model.addresses.has('Kubernetes/networking.istio.io/ServiceEntry/default/ext/192.168.1.20'));
  });

  it('report bad fields under their own path', () => {
    const model = build({
      workloadEntries: [workloadEntry({ address: '192.168.1.10', ports: { http: 70000 } })],
      serviceEntries: [serviceEntry([{ address: '192.168.1.20' }, { address: '192.168.1.21', labels: { app: 3 } }])],
    });
    assert.deepEqual(model.errors, [
      { object: 'WorkloadEntry default/vm', message: 'spec.ports.http must be a port number 1-65535' },
      { object: 'ServiceEntry default/ext', message: 'spec.endpoints[1].labels.app must be a string' },
    ]);
    assert.equal([...model.addresses.values()].filter((res) => res.value.workload).length, 0);
  });
});
