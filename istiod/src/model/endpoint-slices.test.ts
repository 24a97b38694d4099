import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { build, pod, service, workloadOf } from './model.test-util.ts';

function slice(name: string, svc: string, endpoints: V1EndpointSlice['endpoints'], addressType = 'IPv4'): V1EndpointSlice {
  return {
    addressType,
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    endpoints,
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  };
}

const API = service('kubernetes', { clusterIP: '10.96.0.1', selector: null, ports: [{ name: 'https', port: 443, targetPort: 6443 as never }] });

describe('EndpointSlices of selector-less services', () => {
  it('an address without a Pod becomes a workload of the service', () => {
    const model = build({
      services: [API],
      endpointSlices: [slice('kubernetes', 'kubernetes', [{ addresses: ['10.200.0.1'] }, { addresses: ['10.200.0.2'], conditions: { ready: false } }])],
    });
    const uid = 'Kubernetes/discovery.k8s.io/EndpointSlice/default/kubernetes/10.200.0.1';
    const res = model.addresses.get(uid);
    assert.deepEqual(res?.aliases, ['/10.200.0.1']);
    assert.deepEqual(res?.value.workload?.services, {
      'default/kubernetes.default.svc.cluster.local': { ports: [{ service_port: 443, target_port: 6443 }] },
    });
    assert.equal(res?.value.workload?.status, 'HEALTHY');
    assert.equal(model.addresses.get('Kubernetes/discovery.k8s.io/EndpointSlice/default/kubernetes/10.200.0.2')?.value.workload?.status, 'UNHEALTHY');
    assert.deepEqual(model.errors, []);
  });

  it('a Pod endpoint adds the service to that pod', () => {
    const model = build({
      services: [service('manual', { selector: null, ports: [{ name: 'https', port: 443 }] })],
      pods: [pod('backend')],
      endpointSlices: [slice('manual-x', 'manual', [{ addresses: ['10.244.1.5'], targetRef: { kind: 'Pod', name: 'backend', namespace: 'default' } }])],
    });
    assert.deepEqual(workloadOf(model, 'default', 'backend').services, {
      'default/manual.default.svc.cluster.local': { ports: [{ service_port: 443, target_port: 6443 }] },
    });
    assert.equal(model.addresses.size, 2);
  });

  it('slices of services with a selector, of unknown services and of FQDN type add nothing', () => {
    const model = build({
      services: [service('web'), API],
      endpointSlices: [
        slice('web-x', 'web', [{ addresses: ['10.244.1.5'] }]),
        slice('ghost-x', 'ghost', [{ addresses: ['10.244.1.6'] }]),
        slice('fqdn', 'kubernetes', [{ addresses: ['example.com'] }], 'FQDN'),
      ],
    });
    assert.deepEqual([...model.addresses.keys()].sort(), ['default/kubernetes.default.svc.cluster.local', 'default/web.default.svc.cluster.local']);
    assert.deepEqual(model.errors, []);
  });

  it('a slice with a bad address is reported', () => {
    const model = build({ services: [API], endpointSlices: [slice('bad', 'kubernetes', [{ addresses: ['10.200.0.1'] }, { addresses: ['10.200.0.999'] }])] });
    assert.equal(model.errors[0]?.object, 'EndpointSlice default/bad');
    assert.deepEqual([...model.addresses.keys()], ['default/kubernetes.default.svc.cluster.local']);
  });
});
