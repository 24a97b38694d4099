// Kubernetes access of the node agent: pod (this node only) and namespace informers, pod annotation patches.
import { CoreV1Api, ListWatch, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import type { KubeConfig, V1Namespace, V1Pod } from '@kubernetes/client-node';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface KubeAccess {
  readonly pods: ListWatch<V1Pod>;
  readonly namespaces: ListWatch<V1Namespace>;
  readPod(namespace: string, name: string): Promise<V1Pod | undefined>;
  /** Sets (value) or removes (null) one pod annotation with a JSON merge patch. */
  annotatePod(namespace: string, name: string, key: string, value: string | null): Promise<void>;
}

function status(err: unknown): number | undefined {
  const e = err as { code?: number; statusCode?: number };
  return e.code ?? e.statusCode;
}

/** Informers are created stopped; start them with `.start()`. */
export function kubeAccess(kc: KubeConfig, nodeName: string): KubeAccess {
  const core = kc.makeApiClient(CoreV1Api);
  const watch = new Watch(kc);
  const fieldSelector = `spec.nodeName=${nodeName}`;
  const pods = new ListWatch<V1Pod>('/api/v1/pods', watch, () => core.listPodForAllNamespaces({ fieldSelector }), false, undefined, fieldSelector);
  const namespaces = new ListWatch<V1Namespace>('/api/v1/namespaces', watch, () => core.listNamespace(), false);
  return {
    pods,
    namespaces,
    async readPod(namespace, name) {
      try {
        return await core.readNamespacedPod({ namespace, name });
      } catch (err) {
        if (status(err) === 404) return undefined;
        throw err;
      }
    },
    async annotatePod(namespace, name, key, value) {
      try {
        await core.patchNamespacedPod({ namespace, name, body: { metadata: { annotations: { [key]: value } } } }, mergePatch);
      } catch (err) {
        if (status(err) === 404) return;
        throw err;
      }
    },
  };
}
