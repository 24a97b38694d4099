// Scheduling (pure): pods without spec.nodeName go to the least-loaded node that matches their nodeSelector
// on kubernetes.io/hostname (ties broken round-robin by node order).
import type { Obj } from '../cluster/kube-client.ts';

/** Pod name → node name, for every pod that needs binding and has a feasible node. */
export function schedule(pods: readonly Obj[], nodes: readonly string[]): Map<string, string> {
  const load = new Map(nodes.map((n) => [n, 0]));
  for (const p of pods) {
    const node = (p.spec as { nodeName?: string } | undefined)?.nodeName;
    if (node && load.has(node) && !p.metadata.deletionTimestamp) load.set(node, (load.get(node) ?? 0) + 1);
  }
  const bindings = new Map<string, string>();
  for (const p of pods) {
    const spec = (p.spec ?? {}) as { nodeName?: string; nodeSelector?: Record<string, string> };
    if (spec.nodeName || p.metadata.deletionTimestamp) continue;
    const wanted = spec.nodeSelector?.['kubernetes.io/hostname'];
    const other = Object.keys(spec.nodeSelector ?? {}).filter((k) => k !== 'kubernetes.io/hostname');
    if (other.length) continue; // No node has other labels.
    const feasible = nodes.filter((n) => wanted === undefined || n === wanted);
    let best: string | undefined;
    for (const n of feasible) if (best === undefined || (load.get(n) ?? 0) < (load.get(best) ?? 0)) best = n;
    if (best === undefined) continue;
    bindings.set(`${p.metadata.namespace ?? 'default'}/${p.metadata.name}`, best);
    load.set(best, (load.get(best) ?? 0) + 1);
  }
  return bindings;
}
