// Certificates are fetched ahead of the first connection for the enrolled (HBONE) workloads WDS places on
// this node, and released when no such workload is left (reference §5). Pods from ZDS hold their own refs.
import type { StateView } from '../state/store.ts';
import { workloadIdentity } from '../state/types.ts';
import type { CertManager } from './cert-manager.ts';

/** Identities to prefetch for a node (pure). */
export function localIdentities(state: Pick<StateView, 'workloads'>, nodeName: string): Set<string> {
  const out = new Set<string>();
  if (nodeName === '') return out;
  for (const w of state.workloads()) if (w.node === nodeName && w.tunnel === 'HBONE') out.add(workloadIdentity(w));
  return out;
}

/** Keeps the manager's prefetched set in step with the state; returns the function that stops it. */
export function prefetchLocalCertificates(state: StateView, certs: CertManager, nodeName: string): () => void {
  let held = new Set<string>();
  const sync = () => {
    const want = localIdentities(state, nodeName);
    for (const id of want) if (!held.has(id)) certs.track(id);
    for (const id of held) if (!want.has(id)) certs.release(id);
    held = want;
  };
  sync();
  const stop = state.onChange((change) => {
    if (change === 'workloads') sync();
  });
  return () => {
    stop();
    for (const id of held) certs.release(id);
    held = new Set();
  };
}
