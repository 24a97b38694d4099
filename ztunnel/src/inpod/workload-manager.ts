// Pods handed over by the node agent → their proxy sets. The agent re-sends every pod after it or ztunnel
// restarts: an add for a uid already running in the same netns keeps its proxies and open connections (as
// ztunnel does), one in another netns replaces them; a del drains; a snapshot removes pods it omits.
import { fstat } from 'node:fs';
import { promisify } from 'node:util';
import { errorMessage } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';
import type { MetricsRegistry } from '@mesh/common/metrics';
import { closeFd } from '@mesh/common/net';
import type { PodInfo, ProxyInputs } from '../proxy/inputs.ts';
import { DEFAULT_POD_PORTS, PodProxy } from '../proxy/pod-proxy.ts';
import type { PodPorts } from '../proxy/pod-proxy.ts';
import type { ZdsHandler, ZdsWorkload } from './zds-client.ts';

export interface WorkloadManagerOptions {
  readonly inputs: ProxyInputs;
  readonly drainDeadlineMs: number;
  readonly log: Logger;
  readonly ports?: PodPorts;
  readonly onSnapshot?: () => void;
  /** ztunnel's in-pod metrics: istio_active_proxy_count, istio_proxies_started_total, istio_proxies_stopped_total. */
  readonly metrics?: MetricsRegistry;
  readonly onConnected?: (up: boolean) => void;
}

export class WorkloadManager implements ZdsHandler {
  readonly #opts: WorkloadManagerOptions;
  readonly #pods = new Map<string, PodProxy>();
  readonly #started;
  readonly #stopped;
  readonly #active;

  constructor(opts: WorkloadManagerOptions) {
    this.#opts = opts;
    this.#started = opts.metrics?.counter({ name: 'proxies_started', help: 'The total number of proxies that were started' });
    this.#stopped = opts.metrics?.counter({ name: 'proxies_stopped', help: 'The total number of proxies that were stopped' });
    this.#active = opts.metrics?.gauge({ name: 'active_proxy_count', help: 'The total number current workloads with active proxies' });
  }

  async add(w: ZdsWorkload, netnsFd: number): Promise<void> {
    const { inputs, log } = this.#opts;
    const old = this.#pods.get(w.uid);
    const same = old === undefined ? undefined : await sameNetns(old.pod.netnsFd, netnsFd);
    if (same === true) {
      closeFd(netnsFd);
      log.info({ uid: w.uid, pod: `${w.namespace}/${w.name}` }, 'pod proxies kept');
      return;
    }
    if (old) {
      // Legitimate when the pod's sandbox was re-created; it was also the trace of a restarted agent handing over
      // another local cluster's netns (fixed in the agent: NETNS_PREFIX). Say why, for the next such case.
      log.info({ uid: w.uid, pod: `${w.namespace}/${w.name}`, oldFd: old.pod.netnsFd, newFd: netnsFd, why: same }, 'pod proxies replaced: the netns differs');
      this.#pods.delete(w.uid);
      this.#stopped?.inc();
      await old.stop(0);
    }
    const pod: PodInfo = {
      uid: w.uid,
      name: w.name,
      namespace: w.namespace,
      serviceAccount: w.serviceAccount,
      identity: `spiffe://${inputs.trustDomain}/ns/${w.namespace}/sa/${w.serviceAccount}`,
      netnsFd,
    };
    let proxy: PodProxy;
    try {
      proxy = await PodProxy.start(inputs, pod, this.#opts.ports ?? DEFAULT_POD_PORTS);
    } catch (err) {
      try {
        closeFd(netnsFd);
      } catch {
        // Already released by the failed start.
      }
      throw new Error(`starting proxies of pod ${w.namespace}/${w.name} (${w.uid}) failed: ${errorMessage(err)}`, { cause: err });
    }
    this.#pods.set(w.uid, proxy);
    this.#started?.inc();
    this.#active?.set(this.#pods.size);
    log.info({ uid: w.uid, pod: `${w.namespace}/${w.name}`, identity: pod.identity }, 'pod proxies started');
  }

  async del(uid: string): Promise<void> {
    const p = this.#pods.get(uid);
    if (!p) return;
    this.#pods.delete(uid);
    this.#stopped?.inc();
    this.#active?.set(this.#pods.size);
    await p.stop(this.#opts.drainDeadlineMs);
    this.#opts.log.info({ uid }, 'pod proxies stopped');
  }

  async reconcile(present: ReadonlySet<string>): Promise<void> {
    await Promise.all([...this.#pods.keys()].filter((uid) => !present.has(uid)).map((uid) => this.del(uid)));
  }

  connected(up: boolean): void {
    this.#opts.onConnected?.(up);
  }

  snapshotDone(): void {
    this.#opts.onSnapshot?.();
  }

  get(uid: string): PodProxy | undefined {
    return this.#pods.get(uid);
  }

  /** For `/config_dump`. */
  dump(): object[] {
    return [...this.#pods.values()].map((p) => ({ uid: p.pod.uid, name: p.pod.name, namespace: p.pod.namespace, identity: p.pod.identity, openConnections: p.openConnections, pool: p.pool?.stats() }));
  }

  /** Drains every pod (shutdown). */
  async stopAll(deadlineMs: number): Promise<void> {
    const pods = [...this.#pods.values()];
    this.#pods.clear();
    await Promise.all(pods.map((p) => p.stop(deadlineMs)));
  }
}

const fstatFd = promisify(fstat);

/** Whether two netns fds name the same network namespace (same nsfs inode). */
async function sameNetns(a: number, b: number): Promise<true | string> {
  try {
    const [x, y] = await Promise.all([fstatFd(a), fstatFd(b)]);
    return x.ino === y.ino && x.dev === y.dev ? true : `inode ${x.dev}:${x.ino} vs ${y.dev}:${y.ino}`;
  } catch (err) {
    return `fstat failed: ${errorMessage(err)}`;
  }
}
