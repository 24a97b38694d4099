import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ProtoCodec } from '@mesh/common/proto';
import type { CustomObject } from './types.ts';
import { build, namespace, node, OPTS, pod, service, waypointGateway, workloadOf } from './model.test-util.ts';
import { buildModel } from './build-model.ts';
import { syntheticCluster } from './scale.test-util.ts';
import type { MeshModel } from './types.ts';

let codec: ProtoCodec;
before(() => {
  codec = ProtoCodec.load();
});

function workloadEntry(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): CustomObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name, namespace: 'default', labels }, spec };
}

/** A cluster that exercises every kind of resource the model produces. */
function richModel(): MeshModel {
  return build({
    namespaces: [namespace('default', { 'istio.io/use-waypoint': 'waypoint' })],
    nodes: [node('node-1', { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' })],
    gateways: [waypointGateway('waypoint', 'default', 'all')],
    services: [
      service('web', { annotations: { 'networking.istio.io/traffic-distribution': 'PreferClose' }, ports: [{ name: 'http', port: 80, targetPort: 'web' as never }] }),
      service('waypoint', { clusterIP: '10.96.0.2', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }, selector: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } }),
    ],
    pods: [
      pod('web-1', {
        ip: ['10.244.1.5', 'fd00::5'],
        labels: { app: 'web' },
        annotations: { 'ambient.istio.io/redirection': 'enabled' },
        containerPorts: [{ name: 'web', containerPort: 8080 }],
      }),
      pod('waypoint-1', { ip: '10.244.1.9', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }, serviceAccount: 'waypoint' }),
    ],
    serviceEntries: [
      {
        metadata: { name: 'ext', namespace: 'default' },
        spec: { hosts: ['ext.example.com'], addresses: ['240.0.0.0/24'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] },
      },
    ],
    workloadEntries: [workloadEntry('vm', { address: '192.168.1.10', labels: { app: 'web' }, ports: { http: 9000, web: 9001 }, weight: 3, locality: 'r/z/s' })],
    authorizationPolicies: [
      { metadata: { name: 'deny', namespace: 'default' }, spec: { action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }] } },
    ],
    peerAuthentications: [{ metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } }],
  });
}

describe('buildModel', () => {
  it('every produced value encodes with ProtoCodec and decodes back to the same resource', () => {
    const model = richModel();
    assert.deepEqual(model.errors, []);
    assert.ok(model.addresses.size >= 6, `addresses: ${[...model.addresses.keys()].join(', ')}`);
    assert.ok(model.authorizations.size >= 3, `authorizations: ${[...model.authorizations.keys()].join(', ')}`);
    for (const [name, res] of model.addresses) {
      assert.equal(res.name, name);
      const decoded = codec.decode<{ workload?: { uid: string }; service?: { namespace: string; hostname: string } }>(
        'istio.workload.Address',
        codec.encode('istio.workload.Address', res.value),
      );
      const decodedName = decoded.workload ? decoded.workload.uid : `${decoded.service?.namespace}/${decoded.service?.hostname}`;
      assert.equal(decodedName, name);
    }
    for (const [name, res] of model.authorizations) {
      const decoded = codec.decode<{ namespace: string; name: string }>('istio.security.Authorization', codec.encode('istio.security.Authorization', res.value));
      assert.equal(`${decoded.namespace}/${decoded.name}`, name);
    }
  });

  it('is deterministic: the same objects give byte-identical resources', () => {
    const encodeAll = (m: MeshModel) => [...m.addresses.values()].map((r) => codec.encode('istio.workload.Address', r.value).toString('hex'));
    assert.deepEqual(encodeAll(richModel()), encodeAll(richModel()));
  });

  it('builds a WorkloadEntry workload with its services, ports by name, locality and weight', () => {
    const model = richModel();
    const res = model.addresses.get('Kubernetes/networking.istio.io/WorkloadEntry/default/vm');
    assert.deepEqual(res?.aliases, ['/192.168.1.10']);
    const w = res?.value.workload;
    assert.equal(w?.name, 'vm');
    assert.equal(w?.service_account, 'default');
    assert.deepEqual(w?.addresses, [Buffer.from([192, 168, 1, 10])]);
    assert.deepEqual(w?.services, { 'default/web.default.svc.cluster.local': { ports: [{ service_port: 80, target_port: 9001 }] } });
    assert.deepEqual(w?.locality, { region: 'r', zone: 'z', subzone: 's' });
    assert.deepEqual(w?.capacity, { value: 3 });
    assert.deepEqual(w?.waypoint, { hostname: { namespace: 'default', hostname: 'waypoint.default.svc.cluster.local' }, hbone_mtls_port: 15008 });
  });

  it('a WorkloadEntry with a DNS name is skipped with an issue', () => {
    const model = build({ workloadEntries: [workloadEntry('dns', { address: 'vm.example.com' }), workloadEntry('ok', { address: '192.168.1.11' })] });
    assert.deepEqual([...model.addresses.keys()], ['Kubernetes/networking.istio.io/WorkloadEntry/default/ok']);
    assert.equal(model.errors[0]?.object, 'WorkloadEntry default/dns');
    assert.match(model.errors[0]?.message ?? '', /not an IP address/);
  });

  it('keeps building when objects are malformed in unexpected ways', () => {
    const broken = pod('broken');
    (broken.spec as unknown as Record<string, unknown>).containers = 'not a list';
    (broken.status as unknown as Record<string, unknown>).podIPs = [{ ip: 42 }];
    const model = build({
      pods: [broken, pod('fine', { ip: '10.244.1.6' })],
      services: [{ metadata: { name: 'nameless-ns' } }, service('web')],
      gateways: [{ spec: { gatewayClassName: 'istio-waypoint' } }],
      serviceEntries: [{ metadata: { name: 'se', namespace: 'default' }, spec: 'nonsense' }],
      workloadEntries: [{ metadata: { name: 'we', namespace: 'default' }, spec: { address: '10.0.0.1', ports: { http: 'eighty' } } }],
    });
    assert.ok(model.addresses.has('Kubernetes//Pod/default/fine'));
    assert.ok(model.addresses.has('default/web.default.svc.cluster.local'));
    assert.deepEqual(
      model.errors.map((e) => e.object),
      ['Gateway /', 'Service /nameless-ns', 'ServiceEntry default/se', 'Pod default/broken', 'WorkloadEntry default/we'],
    );
  });

  it('kinds that are missing (CRD not installed) count as empty', () => {
    const model = buildModel({ pods: [pod('p')] } as never, OPTS);
    assert.deepEqual([...model.addresses.keys()], ['Kubernetes//Pod/default/p']);
  });

  it('the waypoint-bound workload lists the implicit waypoint policy and the static strict policy', () => {
    assert.deepEqual(workloadOf(richModel(), 'default', 'web-1').authorization_policies, [
      'istio-system/istio_converted_static_strict',
      'default/istio_allow_waypoint_default_waypoint',
    ]);
  });

  it('at scale (10,000 pods, 2,000 services) every pod gets its service and every service is built', () => {
    const model = buildModel(syntheticCluster(10_000, 2_000, 20), OPTS);
    assert.deepEqual(model.errors, []);
    assert.equal(model.addresses.size, 12_000);
    let withService = 0;
    for (const res of model.addresses.values()) {
      const services = res.value.workload?.services;
      if (!services) continue;
      const lists = Object.values(services);
      assert.equal(lists.length, 1, `${res.name} has ${lists.length} services`);
      assert.deepEqual(lists[0]?.ports, [
        { service_port: 80, target_port: 8080 },
        { service_port: 9090, target_port: 9090 },
      ]);
      withService++;
    }
    assert.equal(withService, 10_000);
  });
});
