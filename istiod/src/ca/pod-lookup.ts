import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { PodFacts, PodLookup } from './impersonation.ts';

/** Pod lookups straight from the API server (CSRs are rare: one per workload per half-lifetime). */
export function apiPodLookup(core: CoreV1Api): PodLookup {
  return {
    async pod(namespace, name) {
      try {
        return podFacts(await core.readNamespacedPod({ namespace, name }));
      } catch (err) {
        if ((err as { code?: unknown }).code === 404) return undefined;
        throw err;
      }
    },
    async podsOnNode(nodeName, namespace) {
      const list = await core.listNamespacedPod({ namespace, fieldSelector: `spec.nodeName=${nodeName}` });
      return list.items.map(podFacts);
    },
  };
}

export function podFacts(pod: V1Pod): PodFacts {
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    serviceAccount: pod.spec?.serviceAccountName || 'default',
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(pod.status?.phase ? { phase: pod.status.phase } : {}),
  };
}
