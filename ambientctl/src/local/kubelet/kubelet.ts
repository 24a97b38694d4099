// The kubelet of one node, inside the daemon: keeps the node's pods (spec.nodeName) running as PodRuntimes.
import type { Logger } from '@mesh/common/log';
import { errorMessage } from '@mesh/common/errors';
import { closeFd, openNetns } from '@mesh/common/net';
import type { Layout, NodeLayout } from '../cluster/layout.ts';
import type { KubeClient, Obj } from '../cluster/kube-client.ts';
import type { StateFile } from '../cluster/state.ts';
import { PodRuntime } from './pod-runtime.ts';

/** Pods with this annotation set to `component` stand for a supervised process (e.g. ztunnel): not run here. */
export const MANAGED_ANNOTATION = 'ambientctl.local/managed';

const RETRY_MS = 3_000;

export class Kubelet {
  readonly node: NodeLayout;
  readonly #layout: Layout;
  readonly #kube: KubeClient;
  readonly #state: StateFile;
  readonly #log: Logger;
  readonly #netnsFd: number;
  readonly #pods = new Map<string, PodRuntime>();
  /** uids being started or stopped: one operation per pod at a time. */
  readonly #busy = new Set<string>();
  /** uid → time before which a pod whose setup failed is not retried. */
  readonly #retryAt = new Map<string, number>();
  #closed = false;

  constructor(layout: Layout, node: NodeLayout, kube: KubeClient, state: StateFile, log: Logger) {
    this.#layout = layout;
    this.node = node;
    this.#kube = kube;
    this.#state = state;
    this.#log = log;
    this.#netnsFd = openNetns(`/run/netns/${node.netns}`);
  }

  /** Netns of a running pod (for `exec`), by namespace/name. */
  podNetns(namespace: string, name: string): string | undefined {
    for (const p of this.#pods.values()) if (p.namespace === namespace && p.name === name) return p.netns;
    return undefined;
  }

  /** Brings the node's pods in line with `pods` (every pod of the cluster; this node's are picked out). */
  sync(pods: readonly Obj[]): void {
    if (this.#closed) return;
    const mine = pods.filter(
      (p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === this.node.name && p.metadata.annotations?.[MANAGED_ANNOTATION] !== 'component',
    );
    const live = new Map(mine.map((p) => [p.metadata.uid ?? '', p]));
    for (const pod of mine) {
      const uid = pod.metadata.uid ?? '';
      const phase = (pod.status as { phase?: string } | undefined)?.phase;
      if (this.#pods.has(uid) || this.#busy.has(uid) || pod.metadata.deletionTimestamp) continue;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      if ((this.#retryAt.get(uid) ?? 0) > Date.now()) continue;
      const rt = new PodRuntime({ layout: this.#layout, node: this.node, kube: this.#kube, state: this.#state, log: this.#log, nodeNetnsFd: this.#netnsFd }, pod);
      this.#pods.set(uid, rt);
      this.#run(uid, async () => {
        try {
          await rt.start();
          this.#retryAt.delete(uid);
        } catch (err) {
          // Undo what was set up and try again later (e.g. the CNI config is being rewritten by the node agent).
          await rt.stop({ release: false });
          this.#pods.delete(uid);
          this.#retryAt.set(uid, Date.now() + RETRY_MS);
          throw err;
        }
      }, 'start');
    }
    for (const [uid, rt] of this.#pods) {
      if (this.#busy.has(uid)) continue;
      const pod = live.get(uid);
      if (pod && !pod.metadata.deletionTimestamp) continue;
      this.#retryAt.delete(uid);
      this.#run(uid, async () => {
        await rt.stop({ release: pod !== undefined });
        this.#pods.delete(uid);
      }, 'stop');
    }
    // Pods being deleted that this kubelet never ran (e.g. started before a daemon restart): release them.
    for (const pod of mine) {
      const uid = pod.metadata.uid ?? '';
      if (pod.metadata.deletionTimestamp && !this.#pods.has(uid) && !this.#busy.has(uid)) {
        const rt = new PodRuntime({ layout: this.#layout, node: this.node, kube: this.#kube, state: this.#state, log: this.#log, nodeNetnsFd: this.#netnsFd }, pod);
        this.#run(uid, () => rt.stop({ release: true }), 'release');
      }
    }
  }

  #run(uid: string, op: () => Promise<void>, what: string): void {
    this.#busy.add(uid);
    op()
      .catch((err: unknown) => this.#log.error({ node: this.node.name, uid, err: errorMessage(err) }, `pod ${what} failed`))
      .finally(() => this.#busy.delete(uid));
  }

  /** Counts of pods per node, for the scheduler. */
  get podCount(): number {
    return this.#pods.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#pods.values()].map((p) => p.kill()));
    closeFd(this.#netnsFd);
  }
}
