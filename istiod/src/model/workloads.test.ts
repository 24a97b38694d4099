import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { build, namespace, node, pod, service, workloadOf } from './model.test-util.ts';

describe('pod workloads', () => {
  it('fills the identity, placement and naming fields', () => {
    const model = build({
      namespaces: [namespace('default')],
      nodes: [node('node-1', { 'topology.kubernetes.io/region': 'r1', 'topology.kubernetes.io/zone': 'z1' })],
      pods: [
        pod('web-7d9f8-abcde', {
          ip: '10.244.1.5',
          serviceAccount: 'web',
          generateName: 'web-7d9f8-',
          owner: { kind: 'ReplicaSet', name: 'web-7d9f8' },
          labels: { app: 'web', version: 'v2', 'pod-template-hash': '7d9f8' },
        }),
      ],
    });
    const res = model.addresses.get('Kubernetes//Pod/default/web-7d9f8-abcde');
    assert.deepEqual(res?.aliases, ['/10.244.1.5']);
    const w = workloadOf(model, 'default', 'web-7d9f8-abcde');
    assert.equal(w.uid, 'Kubernetes//Pod/default/web-7d9f8-abcde');
    assert.equal(w.name, 'web-7d9f8-abcde');
    assert.equal(w.namespace, 'default');
    assert.deepEqual(w.addresses, [Buffer.from([10, 244, 1, 5])]);
    assert.equal(w.network, '');
    assert.equal(w.trust_domain, 'cluster.local');
    assert.equal(w.service_account, 'web');
    assert.equal(w.node, 'node-1');
    assert.equal(w.canonical_name, 'web');
    assert.equal(w.canonical_revision, 'v2');
    assert.equal(w.workload_type, 'DEPLOYMENT');
    assert.equal(w.workload_name, 'web');
    assert.equal(w.status, 'HEALTHY');
    assert.equal(w.cluster_id, 'Kubernetes');
    assert.deepEqual(w.locality, { region: 'r1', zone: 'z1', subzone: '' });
    assert.equal(w.network_mode, 'STANDARD');
    assert.equal(w.tunnel_protocol, 'NONE');
    assert.equal(w.waypoint, undefined);
    assert.deepEqual(w.authorization_policies, []);
    assert.deepEqual(model.errors, []);
  });

  it('uses the cluster id, network and trust domain of the options', () => {
    const model = build({ pods: [pod('p', { ip: 'fd00::0:5' })] }, { clusterId: 'c1', network: 'net1', trustDomain: 'td.example' });
    const res = model.addresses.get('c1//Pod/default/p');
    assert.deepEqual(res?.aliases, ['net1/fd00::5']);
    const w = res?.value.workload;
    assert.equal(w?.network, 'net1');
    assert.equal(w?.trust_domain, 'td.example');
    assert.equal(w?.cluster_id, 'c1');
    assert.equal((w?.addresses?.[0] as Buffer).length, 16);
  });

  it('lists every pod IP (dual stack) as address and alias', () => {
    const model = build({ pods: [pod('p', { ip: ['10.244.1.5', 'fd00::5'] })] });
    assert.deepEqual(model.addresses.get('Kubernetes//Pod/default/p')?.aliases, ['/10.244.1.5', '/fd00::5']);
  });

  const cases: { name: string; o: Parameters<typeof pod>[1]; field: string; want: unknown }[] = [
    { name: 'no service account is default', o: {}, field: 'service_account', want: 'default' },
    { name: 'not ready is UNHEALTHY', o: { ready: false }, field: 'status', want: 'UNHEALTHY' },
    { name: 'being deleted is UNHEALTHY', o: { deleting: true }, field: 'status', want: 'UNHEALTHY' },
    { name: 'hostNetwork is HOST_NETWORK', o: { hostNetwork: true }, field: 'network_mode', want: 'HOST_NETWORK' },
    {
      name: 'redirection enabled is HBONE',
      o: { annotations: { 'ambient.istio.io/redirection': 'enabled' } },
      field: 'tunnel_protocol',
      want: 'HBONE',
    },
    {
      name: 'redirection pending is not HBONE',
      o: { annotations: { 'ambient.istio.io/redirection': 'pending' } },
      field: 'tunnel_protocol',
      want: 'NONE',
    },
    { name: 'ambient label alone is not HBONE', o: { labels: { 'istio.io/dataplane-mode': 'ambient' } }, field: 'tunnel_protocol', want: 'NONE' },
    { name: 'tunnel label http is native HBONE', o: { labels: { 'networking.istio.io/tunnel': 'http' } }, field: 'native_tunnel', want: true },
    { name: 'canonical-name label wins', o: { labels: { 'service.istio.io/canonical-name': 'c', 'app.kubernetes.io/name': 'k', app: 'a' } }, field: 'canonical_name', want: 'c' },
    { name: 'app.kubernetes.io/name beats app', o: { labels: { 'app.kubernetes.io/name': 'k', app: 'a' } }, field: 'canonical_name', want: 'k' },
    { name: 'no labels: the workload name', o: {}, field: 'canonical_name', want: 'p' },
    { name: 'canonical-revision label wins', o: { labels: { 'service.istio.io/canonical-revision': 'r', version: 'v' } }, field: 'canonical_revision', want: 'r' },
    { name: 'app.kubernetes.io/version beats version', o: { labels: { 'app.kubernetes.io/version': 'k', version: 'v' } }, field: 'canonical_revision', want: 'k' },
    { name: 'no version: latest', o: {}, field: 'canonical_revision', want: 'latest' },
    { name: 'pod network label', o: { labels: { 'topology.istio.io/network': 'n2' } }, field: 'network', want: 'n2' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const w = workloadOf(build({ pods: [pod('p', c.o)] }), 'default', 'p') as Record<string, unknown>;
      assert.deepEqual(w[c.field], c.want);
    });
  }

  it('no locality when the node has no topology labels or is unknown', () => {
    assert.equal(workloadOf(build({ nodes: [node('node-1')], pods: [pod('p')] }), 'default', 'p').locality, undefined);
    assert.equal(workloadOf(build({ pods: [pod('p', { node: 'elsewhere' })] }), 'default', 'p').locality, undefined);
  });

  it('skips pods without an IP and terminated pods, keeps pending pods with an IP', () => {
    const model = build({
      pods: [
        pod('no-ip', { ip: [] }),
        pod('done', { phase: 'Succeeded' }),
        pod('failed', { phase: 'Failed' }),
        pod('pending', { phase: 'Pending', ready: false, ip: '10.244.1.9' }),
      ],
    });
    assert.deepEqual([...model.addresses.keys()], ['Kubernetes//Pod/default/pending']);
    assert.deepEqual(model.errors, []);
  });

  it('skips a pod with an unparsable IP, naming it, and builds the rest', () => {
    const model = build({ pods: [pod('bad', { ip: '10.244.1.300' }), pod('good', { ip: '10.244.1.6' })] });
    assert.ok(model.addresses.has('Kubernetes//Pod/default/good'));
    assert.ok(!model.addresses.has('Kubernetes//Pod/default/bad'));
    assert.equal(model.errors.length, 1);
    assert.equal(model.errors[0]?.object, 'Pod default/bad');
    assert.match(model.errors[0]?.message ?? '', /10\.244\.1\.300.*not an IP address/);
  });
});

describe('workload services map', () => {
  it('lists the services in its namespace whose selector matches, with target ports resolved', () => {
    const model = build({
      pods: [
        pod('p', {
          labels: { app: 'web', tier: 'front' },
          containerPorts: [{ name: 'web', containerPort: 9090 }],
        }),
      ],
      services: [
        service('web', {
          selector: { app: 'web' },
          ports: [
            { name: 'http', port: 80, targetPort: 8080 as never },
            { name: 'named', port: 81, targetPort: 'web' as never },
            { name: 'missing', port: 82, targetPort: 'nope' as never },
            { name: 'default', port: 83 },
          ],
        }),
        service('front', { clusterIP: '10.96.0.11', selector: { tier: 'front', app: 'web' }, ports: [{ port: 443, targetPort: 8443 as never }] }),
        service('other', { clusterIP: '10.96.0.12', selector: { app: 'other' } }),
        service('no-selector', { clusterIP: '10.96.0.13', selector: null }),
        service('web', { namespace: 'elsewhere', clusterIP: '10.96.0.14', selector: { app: 'web' } }),
      ],
    });
    const w = workloadOf(model, 'default', 'p');
    assert.deepEqual(Object.keys(w.services ?? {}), ['default/front.default.svc.cluster.local', 'default/web.default.svc.cluster.local']);
    assert.deepEqual(w.services?.['default/web.default.svc.cluster.local'], {
      ports: [
        { service_port: 80, target_port: 8080 },
        { service_port: 81, target_port: 9090 },
        { service_port: 83, target_port: 83 },
      ],
    });
    assert.deepEqual(w.services?.['default/front.default.svc.cluster.local'], { ports: [{ service_port: 443, target_port: 8443 }] });
  });
});
