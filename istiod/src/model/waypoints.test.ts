import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { build, namespace, pod, service, serviceOf, waypointGateway, workloadOf } from './model.test-util.ts';

const WAYPOINT = { hostname: { namespace: 'default', hostname: 'waypoint.default.svc.cluster.local' }, hbone_mtls_port: 15008 };
const OTHER = { hostname: { namespace: 'default', hostname: 'other.default.svc.cluster.local' }, hbone_mtls_port: 15008 };
const USE = 'istio.io/use-waypoint';

describe('waypoint binding', () => {
  const cases: {
    name: string;
    nsLabels?: Record<string, string>;
    resourceLabels?: Record<string, string>;
    waypointFor?: string;
    wantService: unknown;
    wantWorkload: unknown;
  }[] = [
    { name: 'no labels: no waypoint', wantService: null, wantWorkload: undefined },
    { name: 'namespace label binds services (default service traffic)', nsLabels: { [USE]: 'waypoint' }, wantService: WAYPOINT, wantWorkload: undefined },
    { name: 'waypoint-for workload binds workloads only', nsLabels: { [USE]: 'waypoint' }, waypointFor: 'workload', wantService: null, wantWorkload: WAYPOINT },
    { name: 'waypoint-for all binds both', nsLabels: { [USE]: 'waypoint' }, waypointFor: 'all', wantService: WAYPOINT, wantWorkload: WAYPOINT },
    { name: 'waypoint-for none binds nothing', nsLabels: { [USE]: 'waypoint' }, waypointFor: 'none', wantService: null, wantWorkload: undefined },
    { name: 'resource label beats namespace label', nsLabels: { [USE]: 'waypoint' }, resourceLabels: { [USE]: 'other' }, waypointFor: 'all', wantService: OTHER, wantWorkload: OTHER },
    { name: 'resource none opts out of the namespace waypoint', nsLabels: { [USE]: 'waypoint' }, resourceLabels: { [USE]: 'none' }, waypointFor: 'all', wantService: null, wantWorkload: undefined },
    { name: 'resource label without namespace label', resourceLabels: { [USE]: 'waypoint' }, waypointFor: 'all', wantService: WAYPOINT, wantWorkload: WAYPOINT },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const model = build({
        namespaces: [namespace('default', c.nsLabels)],
        gateways: [waypointGateway('waypoint', 'default', c.waypointFor), waypointGateway('other', 'default', c.waypointFor)],
        services: [service('web', { labels: c.resourceLabels })],
        pods: [pod('web-1', { labels: { app: 'web', ...c.resourceLabels } })],
      });
      assert.deepEqual(serviceOf(model, 'default', 'web').waypoint, c.wantService);
      assert.deepEqual(workloadOf(model, 'default', 'web-1').waypoint, c.wantWorkload);
    });
  }

  it('use-waypoint-namespace binds to a waypoint in another namespace', () => {
    const model = build({
      namespaces: [namespace('default', { [USE]: 'shared', 'istio.io/use-waypoint-namespace': 'infra' })],
      gateways: [waypointGateway('shared', 'infra')],
      services: [service('web')],
    });
    assert.deepEqual(serviceOf(model, 'default', 'web').waypoint, {
      hostname: { namespace: 'infra', hostname: 'shared.infra.svc.cluster.local' },
      hbone_mtls_port: 15008,
    });
  });

  it("the waypoint's own pods and service get no waypoint", () => {
    const gwLabels = { 'gateway.networking.k8s.io/gateway-name': 'waypoint' };
    const model = build({
      namespaces: [namespace('default', { [USE]: 'waypoint' })],
      gateways: [waypointGateway('waypoint', 'default', 'all')],
      services: [service('waypoint', { labels: gwLabels, selector: gwLabels })],
      pods: [pod('waypoint-abc', { labels: gwLabels, serviceAccount: 'waypoint' })],
    });
    assert.equal(serviceOf(model, 'default', 'waypoint').waypoint, null);
    assert.equal(workloadOf(model, 'default', 'waypoint-abc').waypoint, undefined);
  });

  it('a binding to a missing Gateway gives no waypoint and one issue', () => {
    const model = build({
      namespaces: [namespace('default', { [USE]: 'ghost' })],
      services: [service('a'), service('b', { clusterIP: '10.96.0.11' })],
    });
    assert.equal(serviceOf(model, 'default', 'a').waypoint, null);
    assert.deepEqual(model.errors, [
      { object: 'Namespace default', message: 'label istio.io/use-waypoint names waypoint default/ghost, which does not exist' },
    ]);
  });

  it('a resource naming a waypoint for the other kind of traffic is reported', () => {
    const model = build({ gateways: [waypointGateway('waypoint', 'default', 'workload')], services: [service('web', { labels: { [USE]: 'waypoint' } })] });
    assert.equal(serviceOf(model, 'default', 'web').waypoint, null);
    assert.equal(model.errors[0]?.object, 'Service default/web');
    assert.match(model.errors[0]?.message ?? '', /for workload traffic, not service traffic/);
  });

  it('Gateways of other classes are not waypoints', () => {
    const gw = waypointGateway('waypoint');
    const model = build({
      gateways: [{ ...gw, spec: { gatewayClassName: 'istio' } }],
      services: [service('web', { labels: { [USE]: 'waypoint' } })],
    });
    assert.equal(serviceOf(model, 'default', 'web').waypoint, null);
    assert.equal(model.errors.length, 1);
  });

  it('ingress-use-waypoint on the service or its namespace', () => {
    const model = build({
      namespaces: [namespace('default', { 'istio.io/ingress-use-waypoint': 'true' }), namespace('other')],
      services: [
        service('a'),
        service('b', { namespace: 'other', clusterIP: '10.96.0.11', labels: { 'istio.io/ingress-use-waypoint': 'true' } }),
        service('c', { namespace: 'other', clusterIP: '10.96.0.12' }),
      ],
    });
    assert.equal(serviceOf(model, 'default', 'a').ingress_use_waypoint, true);
    assert.equal(serviceOf(model, 'other', 'b').ingress_use_waypoint, true);
    assert.equal(serviceOf(model, 'other', 'c').ingress_use_waypoint, false);
  });

  it('a waypoint Gateway without the single HBONE listener is reported but still bound', () => {
    const gw = waypointGateway('waypoint');
    const model = build({
      gateways: [{ ...gw, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } }],
      services: [service('web', { labels: { [USE]: 'waypoint' } })],
    });
    assert.deepEqual(serviceOf(model, 'default', 'web').waypoint, WAYPOINT);
    assert.deepEqual(model.errors, [
      { object: 'Gateway default/waypoint', message: 'a waypoint must have a single listener on port 15008 with protocol HBONE' },
    ]);
  });
});
