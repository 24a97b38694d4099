// A synthetic cluster for scale checks and benchmarks: `pods` pods spread over `namespaces` namespaces, every
// service selecting `pods / services` pods through one label, with named target ports and a few policies.
import type { ClusterObjects } from './types.ts';
import { namespace, node, objects, pod, service } from './model.test-util.ts';

export function syntheticCluster(pods = 10_000, services = 2_000, namespaces = 20): ClusterObjects {
  const perService = Math.max(1, Math.floor(pods / services));
  const nsName = (i: number) => `ns-${i % namespaces}`;
  return objects({
    namespaces: Array.from({ length: namespaces }, (_, i) => namespace(`ns-${i}`, { 'istio.io/dataplane-mode': 'ambient' })),
    nodes: [node('node-1', { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' })],
    services: Array.from({ length: services }, (_, s) =>
      service(`svc-${s}`, {
        namespace: nsName(s),
        clusterIP: `10.96.${s >> 8}.${s & 255}`,
        selector: { app: `app-${s}` },
        ports: [
          { name: 'http', port: 80, targetPort: 'http' as never },
          { name: 'grpc', port: 9090, targetPort: 9090 as never },
        ],
      }),
    ),
    pods: Array.from({ length: pods }, (_, p) => {
      const s = Math.floor(p / perService) % services;
      return pod(`pod-${p}`, {
        namespace: nsName(s),
        ip: `10.${128 + (p >> 16)}.${(p >> 8) & 255}.${p & 255}`,
        labels: { app: `app-${s}`, version: 'v1', 'pod-template-hash': 'abc' },
        annotations: { 'ambient.istio.io/redirection': 'enabled' },
        containerPorts: [{ name: 'http', containerPort: 8080 }],
        serviceAccount: `sa-${s % 50}`,
      });
    }),
    authorizationPolicies: Array.from({ length: namespaces }, (_, i) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow-app-0', namespace: `ns-${i}` },
      spec: { selector: { matchLabels: { app: `app-${i}` } }, rules: [{ from: [{ source: { namespaces: [`ns-${i}`] } }] }] },
    })),
  });
}
