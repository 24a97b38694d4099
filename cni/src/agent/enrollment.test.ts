import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { enrollmentDecision, podIps } from './enrollment.ts';

const O = { excludeNamespaces: ['kube-system'], systemNamespace: 'istio-system' };
const ambientNs: V1Namespace = { metadata: { name: 'demo', labels: { 'istio.io/dataplane-mode': 'ambient' } } };
const plainNs: V1Namespace = { metadata: { name: 'demo' } };
function pod(extra: { labels?: Record<string, string>; annotations?: Record<string, string>; hostNetwork?: boolean; ns?: string; phase?: string } = {}): V1Pod {
  return {
    metadata: { name: 'p', namespace: extra.ns ?? 'demo', labels: extra.labels ?? {}, annotations: extra.annotations ?? {} },
    spec: { containers: [], hostNetwork: extra.hostNetwork ?? false },
    status: { phase: extra.phase ?? 'Running' },
  };
}

describe('enrollmentDecision', () => {
  const cases: [string, V1Pod, V1Namespace | undefined, boolean][] = [
    ['namespace label', pod(), ambientNs, true],
    ['no label', pod(), plainNs, false],
    ['namespace unknown', pod(), undefined, false],
    ['pod label without namespace label', pod({ labels: { 'istio.io/dataplane-mode': 'ambient' } }), plainNs, true],
    ['pod opt-out', pod({ labels: { 'istio.io/dataplane-mode': 'none' } }), ambientNs, false],
    ['host network', pod({ hostNetwork: true }), ambientNs, false],
    ['sidecar', pod({ annotations: { 'sidecar.istio.io/status': '{}' } }), ambientNs, false],
    ['excluded namespace', pod({ ns: 'kube-system', labels: { 'istio.io/dataplane-mode': 'ambient' } }), undefined, false],
    ['ztunnel', pod({ ns: 'istio-system', labels: { app: 'ztunnel', 'istio.io/dataplane-mode': 'ambient' } }), undefined, false],
    ['completed job pod', pod({ phase: 'Succeeded' }), ambientNs, false],
  ];
  for (const [name, p, ns, want] of cases) {
    it(name, () => {
      const d = enrollmentDecision(p, ns, O);
      assert.equal(d.enroll, want, d.reason);
      assert.ok(d.reason.length > 0);
    });
  }
});

describe('podIps', () => {
  it('prefers podIPs and falls back to podIP', () => {
    assert.deepEqual(podIps({ status: { podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] } }), ['10.0.0.1', 'fd00::1']);
    assert.deepEqual(podIps({ status: { podIP: '10.0.0.2' } }), ['10.0.0.2']);
    assert.deepEqual(podIps({}), []);
  });
});
