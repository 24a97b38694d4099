import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../cluster/kube-client.ts';
import { desiredSlice, sliceEqual } from './endpointslices.ts';

const svc: Obj = { metadata: { name: 'web', namespace: 'ns', uid: 's-uid' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'raw', port: 90, targetPort: 9090 }] } };
const pod = (name: string, ip: string | undefined, ready: boolean, labels = { app: 'web' }): Obj => ({
  metadata: { name, namespace: 'ns', uid: `${name}-uid`, labels },
  spec: { nodeName: 'node-1', containers: [{ ports: [{ name: 'http', containerPort: 8080 }] }] },
  status: { ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('desiredSlice', () => {
  it('lists selected pods with IPs, with readiness, and resolves named target ports', () => {
    const s = desiredSlice(svc, [pod('b', '10.244.1.3', false), pod('a', '10.244.1.2', true), pod('c', undefined, true), pod('x', '10.244.1.9', true, { app: 'other' } as never)]);
    assert.ok(s);
    assert.equal(s.metadata.name, 'web-local');
    assert.equal(s.metadata.labels?.['kubernetes.io/service-name'], 'web');
    const eps = s['endpoints'] as { addresses: string[]; conditions: { ready: boolean }; targetRef: { name: string } }[];
    assert.deepEqual(eps.map((e) => [e.targetRef.name, e.addresses[0], e.conditions.ready]), [['a', '10.244.1.2', true], ['b', '10.244.1.3', false]]);
    assert.deepEqual((s['ports'] as { name: string; port: number }[]).map((p) => [p.name, p.port]), [['http', 8080], ['raw', 9090]]);
  });

  it('is undefined for a Service without selector', () => {
    assert.equal(desiredSlice({ metadata: { name: 'x', namespace: 'ns' }, spec: {} }, []), undefined);
  });

  it('marks terminating pods not ready', () => {
    const p = pod('a', '10.244.1.2', true);
    p.metadata.deletionTimestamp = 'now';
    const eps = desiredSlice(svc, [p])?.['endpoints'] as { conditions: { ready: boolean; terminating: boolean } }[];
    assert.deepEqual(eps[0]?.conditions, { ready: false, serving: true, terminating: true });
  });

  it('sliceEqual compares endpoints and ports only', () => {
    const a = desiredSlice(svc, [pod('a', '10.244.1.2', true)]) as Obj;
    const b = { ...a, metadata: { ...a.metadata, resourceVersion: '7' } };
    assert.equal(sliceEqual(b, a), true);
    assert.equal(sliceEqual(desiredSlice(svc, []) as Obj, a), false);
  });
});
