// Publishes the mesh root as ConfigMap `istio-ca-root-cert` (key `root-cert.pem`) in every namespace, as Istio's
// namespace controller does, and puts it back when someone deletes or edits it.
import { CoreV1Api, type KubeConfig, type V1ConfigMap, type V1Namespace } from '@kubernetes/client-node';
import { errorMessage } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';
import { statusOf } from './root-secret.ts';
import { RestartingWatch } from './restarting-watch.ts';

export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
export const ROOT_CERT_KEY = 'root-cert.pem';
/** Istio marks its config maps with this label. */
const CONFIG_LABEL = 'istio.io/config';
/** Namespaces Istio never publishes into (its inject.IgnoredNamespaces). */
export const IGNORED_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

const RETRY_INITIAL_MS = 200;
const RETRY_MAX_MS = 30_000;

export interface RootCertPublisher {
  /** Starts watching; resolves once both watches have listed and the first round of writes was attempted. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Pure: the ConfigMap as it should be in `namespace`. */
export function desiredConfigMap(namespace: string, rootCertPem: string): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ROOT_CERT_CONFIGMAP, namespace, labels: { [CONFIG_LABEL]: 'true' } },
    data: { [ROOT_CERT_KEY]: rootCertPem },
  };
}

/** Pure: whether an existing ConfigMap already carries the root (other keys and labels are left alone). */
export function isUpToDate(cm: V1ConfigMap | undefined, rootCertPem: string): boolean {
  return cm?.data?.[ROOT_CERT_KEY] === rootCertPem;
}

/** Pure: whether the root belongs in `ns`. */
export function publishesInto(ns: V1Namespace | undefined): boolean {
  const name = ns?.metadata?.name;
  return !!name && !IGNORED_NAMESPACES.has(name) && ns.status?.phase !== 'Terminating' && !ns.metadata?.deletionTimestamp;
}

export function createRootCertPublisher(kc: KubeConfig, rootCertPem: string, logger: Logger): RootCertPublisher {
  const core = kc.makeApiClient(CoreV1Api);
  const retries = new Map<string, { timer: NodeJS.Timeout; delayMs: number }>();
  const running = new Map<string, Promise<void>>();
  const dirty = new Set<string>();
  let stopped = false;

  const namespaces = new RestartingWatch<V1Namespace>({
    kc,
    path: '/api/v1/namespaces',
    list: () => core.listNamespace(),
    logger,
    onEvent: (event, ns) => {
      if (event !== 'delete' && ns.metadata?.name) enqueue(ns.metadata.name);
    },
  });
  const configMaps = new RestartingWatch<V1ConfigMap>({
    kc,
    path: '/api/v1/configmaps',
    list: () => core.listConfigMapForAllNamespaces({ fieldSelector: `metadata.name=${ROOT_CERT_CONFIGMAP}` }),
    fieldSelector: `metadata.name=${ROOT_CERT_CONFIGMAP}`,
    logger,
    onEvent: (event, cm) => {
      const ns = cm.metadata?.namespace;
      if (ns && (event === 'delete' || !isUpToDate(cm, rootCertPem))) enqueue(ns);
    },
  });

  function enqueue(ns: string): void {
    if (stopped) return;
    if (running.has(ns)) {
      dirty.add(ns);
      return;
    }
    const run = reconcile(ns)
      .then(
        () => clearRetry(ns),
        (err: unknown) => scheduleRetry(ns, err),
      )
      .finally(() => {
        running.delete(ns);
        if (dirty.delete(ns)) enqueue(ns);
      });
    running.set(ns, run);
  }

  async function reconcile(ns: string): Promise<void> {
    if (!publishesInto(namespaces.get(ns))) return;
    let current: V1ConfigMap | undefined;
    try {
      current = await core.readNamespacedConfigMap({ namespace: ns, name: ROOT_CERT_CONFIGMAP });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    if (isUpToDate(current, rootCertPem)) return;
    if (!current) {
      await core.createNamespacedConfigMap({ namespace: ns, body: desiredConfigMap(ns, rootCertPem) });
      logger.info({ namespace: ns }, `published ${ROOT_CERT_CONFIGMAP}`);
      return;
    }
    // Keep what others added; only our key and label are ours. resourceVersion makes a concurrent edit a 409 (retried).
    const want = desiredConfigMap(ns, rootCertPem);
    const body: V1ConfigMap = {
      ...current,
      metadata: { ...current.metadata, labels: { ...current.metadata?.labels, ...want.metadata?.labels } },
      data: { ...current.data, ...want.data },
    };
    await core.replaceNamespacedConfigMap({ namespace: ns, name: ROOT_CERT_CONFIGMAP, body });
    logger.info({ namespace: ns }, `restored ${ROOT_CERT_CONFIGMAP}`);
  }

  function scheduleRetry(ns: string, err: unknown): void {
    if (stopped) return;
    const previous = retries.get(ns);
    if (previous) clearTimeout(previous.timer);
    const delayMs = previous ? Math.min(previous.delayMs * 2, RETRY_MAX_MS) : RETRY_INITIAL_MS;
    logger.warn({ namespace: ns, retryMs: delayMs }, `cannot publish ${ROOT_CERT_CONFIGMAP}: ${errorMessage(err)}`);
    const timer = setTimeout(() => enqueue(ns), delayMs);
    retries.set(ns, { timer, delayMs });
  }

  function clearRetry(ns: string): void {
    const previous = retries.get(ns);
    if (previous) clearTimeout(previous.timer);
    retries.delete(ns);
  }

  return {
    async start() {
      stopped = false;
      namespaces.start();
      configMaps.start();
      await Promise.all([namespaces.whenSynced(), configMaps.whenSynced()]);
      // Namespaces listed before the config maps were known: go over them all once more.
      for (const ns of namespaces.list()) if (ns.metadata?.name) enqueue(ns.metadata.name);
      await Promise.allSettled([...running.values()]);
    },
    async stop() {
      stopped = true;
      for (const { timer } of retries.values()) clearTimeout(timer);
      retries.clear();
      await Promise.all([namespaces.stop(), configMaps.stop()]);
      await Promise.allSettled([...running.values()]);
    },
  };
}
