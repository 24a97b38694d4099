import type { V1Pod } from '@kubernetes/client-node';
import { eventually, type LocalCluster } from './local-cluster.ts';
import { parseEcho } from './scenario.ts';

/** Waits until the pod is Running and Ready, and returns it. */
export function podReady(cluster: LocalCluster, ns: string, name: string, timeoutMs = 90_000): Promise<V1Pod> {
  return eventually(`pod ${ns}/${name} ready`, async () => {
    const pod = await cluster.core().readNamespacedPod({ namespace: ns, name });
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    return ready && pod.status?.podIP ? pod : undefined;
  }, timeoutMs);
}

/** The pods of a label selector once `count` of them are Ready. */
export function podsReady(cluster: LocalCluster, ns: string, selector: string, count: number, timeoutMs = 90_000): Promise<V1Pod[]> {
  return eventually(`${count} ready pods ${selector} in ${ns}`, async () => {
    const list = await cluster.core().listNamespacedPod({ namespace: ns, labelSelector: selector });
    const ready = list.items.filter((p) => p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready.length >= count ? ready : undefined;
  }, timeoutMs);
}

/** Waits until the node agent has (or has not) marked the pod `ambient.istio.io/redirection: enabled`. */
export function redirection(cluster: LocalCluster, ns: string, name: string, enabled: boolean, timeoutMs = 60_000): Promise<V1Pod> {
  return eventually(`pod ${ns}/${name} redirection ${enabled ? 'enabled' : 'removed'}`, async () => {
    const pod = await cluster.core().readNamespacedPod({ namespace: ns, name });
    const on = pod.metadata?.annotations?.['ambient.istio.io/redirection'] === 'enabled';
    return on === enabled ? pod : undefined;
  }, timeoutMs);
}

/** One HTTP request from a pod with curl; returns the echo lines, or the failure. */
export async function curlFrom(cluster: LocalCluster, pod: string, url: string): Promise<{ ok: boolean; lines: Map<string, string>; detail: string }> {
  const r = await cluster.podExec(pod, ['curl', '-sS', '--max-time', '5', url], 20_000);
  return { ok: r.code === 0 && r.stdout.includes('Hostname='), lines: parseEcho(r.stdout), detail: (r.stderr || r.stdout).trim() };
}

/** Retries a request until it succeeds (the mesh converges asynchronously) and returns the answer. */
export function curlSucceeds(cluster: LocalCluster, pod: string, url: string, timeoutMs = 60_000): Promise<Map<string, string>> {
  return eventually(`${url} from ${pod} to succeed`, async () => {
    const r = await curlFrom(cluster, pod, url);
    return r.ok ? r.lines : undefined;
  }, timeoutMs, 500);
}

/** Retries until requests fail (a policy took effect) and returns the failure text. */
export function curlFails(cluster: LocalCluster, pod: string, url: string, timeoutMs = 60_000): Promise<string> {
  return eventually(`${url} from ${pod} to be refused`, async () => {
    const r = await curlFrom(cluster, pod, url);
    return r.ok ? undefined : r.detail || 'failed';
  }, timeoutMs, 500);
}
