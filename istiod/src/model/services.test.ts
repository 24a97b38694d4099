import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CustomObject } from './types.ts';
import { build, namespace, pod, service, serviceOf, waypointGateway, workloadOf } from './model.test-util.ts';

describe('services', () => {
  it('fills name, hostname, VIP, ports and aliases', () => {
    const model = build({
      services: [
        service('web', {
          clusterIP: '10.96.0.10',
          ports: [
            { name: 'http-web', port: 80, targetPort: 8080 as never },
            { name: 'grpc', port: 81, targetPort: 'grpc-port' as never },
            { name: 'x', port: 82, appProtocol: 'http2' },
            { name: 'tcp-db', port: 83 },
            { name: 'tls', port: 84 },
            { name: 'https', port: 443 },
            { name: 'dns', port: 53, protocol: 'UDP' },
            { port: 85 },
          ],
        }),
      ],
    });
    const res = model.addresses.get('default/web.default.svc.cluster.local');
    assert.deepEqual(res?.aliases, ['/10.96.0.10']);
    const s = serviceOf(model, 'default', 'web');
    assert.equal(s.name, 'web');
    assert.equal(s.namespace, 'default');
    assert.equal(s.hostname, 'web.default.svc.cluster.local');
    assert.deepEqual(s.addresses, [{ network: '', address: Buffer.from([10, 96, 0, 10]) }]);
    assert.deepEqual(s.ports, [
      { service_port: 80, target_port: 8080, app_protocol: 'HTTP11' },
      { service_port: 81, target_port: 0, app_protocol: 'GRPC' },
      { service_port: 82, target_port: 82, app_protocol: 'HTTP2' },
      { service_port: 83, target_port: 83, app_protocol: 'TCP' },
      { service_port: 84, target_port: 84, app_protocol: 'TLS' },
      { service_port: 443, target_port: 443, app_protocol: 'TLS' },
      { service_port: 53, target_port: 53, app_protocol: 'UNKNOWN' },
      { service_port: 85, target_port: 85, app_protocol: 'UNKNOWN' },
    ]);
    assert.deepEqual(s.subject_alt_names, []);
    assert.equal(s.waypoint, null);
    assert.equal(s.load_balancing, null);
  });

  it('headless services exist without addresses', () => {
    const model = build({ services: [service('db', { clusterIP: 'None' })] });
    assert.deepEqual(model.addresses.get('default/db.default.svc.cluster.local')?.aliases, []);
    assert.deepEqual(serviceOf(model, 'default', 'db').addresses, []);
  });

  it('SANs from the service-account annotations', () => {
    const model = build({
      services: [
        service('web', {
          annotations: {
            'alpha.istio.io/kubernetes-serviceaccounts': 'a, b',
            'alpha.istio.io/canonical-serviceaccounts': 'spiffe://other/ns/x/sa/y',
          },
        }),
      ],
    });
    assert.deepEqual(serviceOf(model, 'default', 'web').subject_alt_names, [
      'spiffe://cluster.local/ns/default/sa/a',
      'spiffe://cluster.local/ns/default/sa/b',
      'spiffe://other/ns/x/sa/y',
    ]);
  });

  const close = { routing_preference: ['NETWORK', 'REGION', 'ZONE', 'SUBZONE'], mode: 'FAILOVER' };
  const lbCases: { name: string; spec?: string; annotation?: string; want: unknown; issue?: boolean }[] = [
    { name: 'annotation PreferClose', annotation: 'PreferClose', want: close },
    { name: 'annotation is case-insensitive', annotation: 'preferclose', want: close },
    { name: 'spec.trafficDistribution PreferClose', spec: 'PreferClose', want: close },
    { name: 'spec wins over the annotation', spec: 'PreferClose', annotation: 'Any', want: close },
    { name: 'PreferSameNode adds NODE', annotation: 'PreferSameNode', want: { ...close, routing_preference: [...close.routing_preference, 'NODE'] } },
    { name: 'Any is no preference', annotation: 'Any', want: null },
    { name: 'unknown annotation value is reported and ignored', annotation: 'Nearby', want: null, issue: true },
  ];
  for (const c of lbCases) {
    it(`load balancing: ${c.name}`, () => {
      const model = build({
        services: [service('web', { trafficDistribution: c.spec, annotations: c.annotation ? { 'networking.istio.io/traffic-distribution': c.annotation } : {} })],
      });
      assert.deepEqual(serviceOf(model, 'default', 'web').load_balancing, c.want);
      assert.equal(model.errors.length, c.issue ? 1 : 0);
    });
  }

  it('skips ExternalName services', () => {
    const svc = service('ext');
    svc.spec = { type: 'ExternalName', externalName: 'example.com' };
    assert.equal(build({ services: [svc] }).addresses.size, 0);
  });

  const badCases: { name: string; mutate: (s: ReturnType<typeof service>) => void; message: RegExp }[] = [
    { name: 'bad cluster IP', mutate: (s) => void (s.spec!.clusterIP = '10.96.0.999'), message: /spec\.clusterIPs.*not an IP/ },
    { name: 'port out of range', mutate: (s) => void (s.spec!.ports = [{ port: 70000 }]), message: /spec\.ports\[0\]\.port/ },
    { name: 'target port out of range', mutate: (s) => void (s.spec!.ports = [{ port: 80, targetPort: 0 as never }]), message: /spec\.ports\[0\]\.targetPort/ },
  ];
  for (const c of badCases) {
    it(`skips a bad service: ${c.name}`, () => {
      const bad = service('bad');
      c.mutate(bad);
      const model = build({ services: [bad, service('good', { clusterIP: '10.96.0.20' })] });
      assert.deepEqual([...model.addresses.keys()], ['default/good.default.svc.cluster.local']);
      assert.equal(model.errors.length, 1);
      assert.equal(model.errors[0]?.object, 'Service default/bad');
      assert.match(model.errors[0]?.message ?? '', c.message);
    });
  }
});

describe('service entries', () => {
  const se = (spec: unknown, labels: Record<string, string> = {}): CustomObject => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'ext', namespace: 'default', labels },
    spec,
  });

  it('one service per host with addresses (CIDRs with length), ports and SANs', () => {
    const model = build({
      serviceEntries: [
        se({
          hosts: ['a.example.com', 'b.example.com'],
          addresses: ['240.0.0.1', '240.1.0.0/16'],
          ports: [{ number: 443, name: 'tls', protocol: 'TLS' }, { number: 80, name: 'http', protocol: 'HTTP', targetPort: 8080 }],
          subjectAltNames: ['spiffe://cluster.local/ns/x/sa/y'],
        }),
      ],
    });
    assert.deepEqual([...model.addresses.keys()], ['default/a.example.com', 'default/b.example.com']);
    const res = model.addresses.get('default/a.example.com');
    assert.deepEqual(res?.aliases, ['/240.0.0.1', '/240.1.0.0/16']);
    const s = res?.value.service;
    assert.equal(s?.hostname, 'a.example.com');
    assert.equal(s?.name, 'ext');
    assert.deepEqual(s?.addresses, [
      { network: '', address: Buffer.from([240, 0, 0, 1]) },
      { network: '', address: Buffer.from([240, 1, 0, 0]), length: 16 },
    ]);
    assert.deepEqual(s?.ports, [
      { service_port: 443, target_port: 443, app_protocol: 'TLS' },
      { service_port: 80, target_port: 8080, app_protocol: 'HTTP11' },
    ]);
    assert.deepEqual(s?.subject_alt_names, ['spiffe://cluster.local/ns/x/sa/y']);
  });

  it('skips a ServiceEntry with a bad address, naming it', () => {
    const model = build({ serviceEntries: [se({ hosts: ['a.example.com'], addresses: ['not-an-ip'] })] });
    assert.equal(model.addresses.size, 0);
    assert.equal(model.errors[0]?.object, 'ServiceEntry default/ext');
    assert.match(model.errors[0]?.message ?? '', /spec\.addresses/);
  });

  it('a service key defined twice keeps the first and reports the second', () => {
    const model = build({ serviceEntries: [se({ hosts: ['web.default.svc.cluster.local'] })], services: [service('web')] });
    assert.equal(model.addresses.get('default/web.default.svc.cluster.local')?.value.service?.name, 'web');
    assert.equal(model.errors.length, 1);
    assert.equal(model.errors[0]?.object, 'ServiceEntry default/ext');
  });

  it('workloadSelector adds the hosts to selected pods and WorkloadEntries (entry ports by port name)', () => {
    const model = build({
      serviceEntries: [
        se({
          hosts: ['vm.example.com'],
          ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 443, name: 'tls', targetPort: 8443 }],
          workloadSelector: { labels: { app: 'vm' } },
        }),
      ],
      pods: [pod('p', { labels: { app: 'vm' } })],
      workloadEntries: [
        { metadata: { name: 'vm-1', namespace: 'default' }, spec: { address: '192.168.0.5', labels: { app: 'vm' }, ports: { http: 8080 } } },
      ],
    });
    assert.deepEqual(workloadOf(model, 'default', 'p').services, {
      'default/vm.example.com': { ports: [{ service_port: 80, target_port: 80 }, { service_port: 443, target_port: 8443 }] },
    });
    assert.deepEqual(model.addresses.get('Kubernetes/networking.istio.io/WorkloadEntry/default/vm-1')?.value.workload?.services, {
      'default/vm.example.com': { ports: [{ service_port: 80, target_port: 8080 }, { service_port: 443, target_port: 8443 }] },
    });
  });

  it('a ServiceEntry takes the waypoint of its label or namespace', () => {
    const model = build({
      namespaces: [namespace('default')],
      gateways: [waypointGateway('egress')],
      serviceEntries: [se({ hosts: ['a.example.com'] }, { 'istio.io/use-waypoint': 'egress' })],
    });
    assert.deepEqual(model.addresses.get('default/a.example.com')?.value.service?.waypoint, {
      hostname: { namespace: 'default', hostname: 'egress.default.svc.cluster.local' },
      hbone_mtls_port: 15008,
    });
  });

  it('inline endpoints become workloads of every host; DNS endpoints are left out', () => {
    const model = build({
      authorizationPolicies: [{ kind: 'AuthorizationPolicy', metadata: { name: 'legacy-only', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'legacy' } } } }],
      serviceEntries: [
        se({
          hosts: ['a.example.com', 'b.example.com'],
          ports: [{ number: 80, name: 'http' }],
          endpoints: [
            { address: '192.168.0.7', ports: { http: 8080 }, serviceAccount: 'vm', labels: { app: 'legacy' }, weight: 2 },
            { address: 'vm.example.com' },
          ],
        }),
      ],
    });
    const res = model.addresses.get('Kubernetes/networking.istio.io/ServiceEntry/default/ext/192.168.0.7');
    assert.deepEqual(res?.aliases, ['/192.168.0.7']);
    const w = res?.value.workload;
    assert.equal(w?.service_account, 'vm');
    assert.equal(w?.canonical_name, 'legacy');
    assert.deepEqual(w?.authorization_policies, ['default/legacy-only']);
    assert.deepEqual(w?.capacity, { value: 2 });
    assert.deepEqual(w?.services, {
      'default/a.example.com': { ports: [{ service_port: 80, target_port: 8080 }] },
      'default/b.example.com': { ports: [{ service_port: 80, target_port: 8080 }] },
    });
    assert.equal(model.addresses.size, 3);
    assert.deepEqual(model.errors, []);
  });

  it('a bad inline endpoint is reported', () => {
    const model = build({ serviceEntries: [se({ hosts: ['a.example.com'], endpoints: [{ address: '192.168.0.7', ports: { http: 'x' } }] })] });
    assert.equal(model.errors[0]?.object, 'ServiceEntry default/ext');
    assert.match(model.errors[0]?.message ?? '', /spec\.endpoints\[0\]\.ports\.http/);
  });
});
