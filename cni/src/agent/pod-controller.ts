// Enrollment reconciler: for each pod on this node, makes the redirection, the ZDS state and the
// `ambient.istio.io/redirection` annotation match the enrollment decision. One reconcile at a time per pod.
import { existsSync } from 'node:fs';
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { errorMessage } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';
import type { CmdAddEvent } from '../event/cmdadd.ts';
import { podOverridesFrom } from '../rules/index.ts';
import type { RedirectConfig } from '../rules/index.ts';
import { enrollmentDecision, podIps, REDIRECTION_ANNOTATION } from './enrollment.ts';
import type { EnrollmentOptions } from './enrollment.ts';
import type { HostProbe } from './host-probe.ts';
import type { KubeAccess } from './kube.ts';
import { findNetnsByIp } from './netns-exec.ts';
import { applyRedirection, familiesFor, removeRedirection } from './redirection.ts';
import type { ZdsServer, ZdsWorkload } from './zds-server.ts';

/** Retry delays for pods whose netns is not found yet or whose step failed: doubling from 1 s to 60 s. */
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 60_000;

interface Enrolled {
  readonly uid: string;
  readonly key: string;
  readonly workload: ZdsWorkload;
  readonly overrides: string;
  readonly ips: readonly string[];
  zdsSent: boolean;
}

export interface PodControllerOptions {
  readonly kube: KubeAccess;
  readonly zds: ZdsServer;
  readonly enrollment: EnrollmentOptions;
  readonly redirect: RedirectConfig;
  readonly netnsDir: string;
  /** Only netns whose names start with this (NETNS_PREFIX; '' = all). */
  readonly netnsPrefix?: string;
  readonly log: Logger;
  /** When set, enrolled pod IPs go into the host probe ipsets. */
  readonly hostProbe?: HostProbe;
}

function keyOf(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

export class PodController {
  readonly #o: PodControllerOptions;
  readonly #enrolled = new Map<string, Enrolled>();
  readonly #netnsByUid = new Map<string, string>();
  readonly #ipsByUid = new Map<string, string[]>();
  readonly #queues = new Map<string, Promise<void>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #attempts = new Map<string, number>();
  #closed = false;

  constructor(o: PodControllerOptions) {
    this.#o = o;
    const { pods, namespaces } = o.kube;
    const onPod = (p: V1Pod): void => this.#schedule(p, false);
    pods.on('add', onPod);
    pods.on('update', onPod);
    pods.on('delete', (p: V1Pod) => this.#schedule(p, true));
    const onNs = (ns: V1Namespace): void => {
      for (const p of pods.list(ns.metadata?.name)) this.#schedule(p, false);
    };
    namespaces.on('add', onNs);
    namespaces.on('update', onNs);
    namespaces.on('delete', onNs);
    for (const inf of [pods, namespaces]) inf.on('error', (err: unknown) => o.log.warn({ err: errorMessage(err) }, 'informer error; it retries'));
    o.zds.on('connected', (_conn: unknown, added: string[]) => {
      for (const e of this.#enrolled.values()) {
        if (e.zdsSent) continue;
        // In the snapshot: ztunnel has it now; otherwise the reconcile sends the add.
        if (added.includes(e.uid)) e.zdsSent = true;
        void this.#enqueue(e.uid, e.key, undefined).catch(() => undefined);
      }
    });
  }

  /** Starts the informers (namespaces first, so pod decisions see labels) and reconciles every pod. */
  async start(): Promise<void> {
    await this.#o.kube.namespaces.start();
    await this.#o.kube.pods.start();
  }

  /** Resolves when every reconcile queued so far has finished (used after start() to gate the ZDS snapshot). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()]);
  }

  /**
   * ZDS snapshot: every enrolled pod, plus (as `keep`, no netns) pods an earlier run enrolled whose netns this
   * run has not found yet, so ztunnel does not drop them meanwhile.
   */
  snapshot(): ZdsWorkload[] {
    const out = [...this.#enrolled.values()].map((e) => e.workload);
    for (const p of this.#o.kube.pods.list()) {
      const uid = p.metadata?.uid;
      if (!uid || this.#enrolled.has(uid) || p.metadata?.annotations?.[REDIRECTION_ANNOTATION] !== 'enabled') continue;
      out.push({ uid, name: p.metadata.name ?? '', namespace: p.metadata.namespace ?? '', serviceAccount: p.spec?.serviceAccountName || 'default' });
    }
    return out;
  }

  /** Enrolled pods (for /config_dump-like views and tests). */
  enrolledPods(): { uid: string; pod: string; netns: string | undefined; zds: boolean }[] {
    return [...this.#enrolled.values()].map((e) => ({ uid: e.uid, pod: e.key, netns: e.workload.netnsPath, zds: e.zdsSent }));
  }

  /** A CNI ADD: remember the netns and IPs, then enroll now (the ADD fails if enrollment does). */
  async cmdAdd(e: CmdAddEvent): Promise<void> {
    const key = `${e.PodNamespace}/${e.PodName}`;
    const pod = this.#o.kube.pods.get(e.PodName, e.PodNamespace) ?? (await this.#o.kube.readPod(e.PodNamespace, e.PodName));
    if (!pod) throw new Error(`pod ${key} not found in the API`);
    const uid = e.PodUID || pod.metadata?.uid || '';
    if (uid === '') throw new Error(`pod ${key} has no uid`);
    if (e.PodUID && pod.metadata?.uid && e.PodUID !== pod.metadata.uid) throw new Error(`pod ${key} has uid ${pod.metadata.uid}, the event says ${e.PodUID}`);
    this.#netnsByUid.set(uid, e.Netns);
    this.#ipsByUid.set(uid, e.IPs.map((ip) => ip.Address.split('/')[0] ?? '').filter((a) => a !== ''));
    await this.#enqueue(uid, key, pod, true);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.allSettled([this.#o.kube.pods.stop(), this.#o.kube.namespaces.stop()]);
    await Promise.allSettled([...this.#queues.values()]);
  }

  #schedule(p: V1Pod, deleted: boolean): void {
    const uid = p.metadata?.uid;
    if (!uid) return;
    void this.#enqueue(uid, keyOf(p), deleted ? null : undefined).catch(() => undefined);
  }

  /** Serializes reconciles per uid. `hint`: null = deleted, a pod = use it when the cache lacks the pod. */
  #enqueue(uid: string, key: string, hint: V1Pod | null | undefined, strict = false): Promise<void> {
    const prev = this.#queues.get(uid) ?? Promise.resolve();
    const run = async (): Promise<void> => {
      if (this.#closed) return;
      try {
        if ((await this.#reconcile(uid, key, hint, strict)) === 'retry') this.#retry(uid, key);
        else this.#attempts.delete(uid);
      } catch (err) {
        this.#o.log.warn({ pod: key, uid, err: errorMessage(err) }, 'reconcile failed; retrying');
        this.#retry(uid, key);
        if (strict) throw err;
      }
    };
    const p = prev.then(run, run);
    const settled = p.catch(() => undefined);
    this.#queues.set(uid, settled);
    void settled.then(() => {
      if (this.#queues.get(uid) === settled) this.#queues.delete(uid);
    });
    return p;
  }

  #retry(uid: string, key: string): void {
    if (this.#closed || this.#timers.has(uid)) return;
    const n = this.#attempts.get(uid) ?? 0;
    this.#attempts.set(uid, n + 1);
    this.#timers.set(
      uid,
      setTimeout(() => {
        this.#timers.delete(uid);
        void this.#enqueue(uid, key, undefined).catch(() => undefined);
      }, Math.min(RETRY_MIN_MS * 2 ** n, RETRY_MAX_MS)),
    );
  }

  #currentPod(uid: string, key: string, hint: V1Pod | null | undefined): V1Pod | undefined {
    if (hint === null) return undefined;
    const [ns = '', name = ''] = key.split('/');
    const cached = this.#o.kube.pods.get(name, ns);
    if (cached?.metadata?.uid === uid) return cached;
    if (hint?.metadata?.uid === uid) return hint;
    return undefined;
  }

  /** One pass; 'retry' when the pod must be looked at again later (its netns is not found yet). */
  async #reconcile(uid: string, key: string, hint: V1Pod | null | undefined, strict: boolean): Promise<'done' | 'retry'> {
    const { kube, zds, log } = this.#o;
    const pod = this.#currentPod(uid, key, hint);
    const current = this.#enrolled.get(uid);
    const ns = pod ? kube.namespaces.get(pod.metadata?.namespace ?? '') : undefined;
    const decision = pod ? enrollmentDecision(pod, ns, this.#o.enrollment) : { enroll: false, reason: 'pod deleted' };

    if (!decision.enroll) {
      if (current) await this.#unenroll(current, pod, decision.reason);
      else if (pod?.metadata?.annotations?.[REDIRECTION_ANNOTATION] !== undefined) {
        await kube.annotatePod(pod.metadata.namespace ?? '', pod.metadata.name ?? '', REDIRECTION_ANNOTATION, null);
      }
      if (!pod) {
        this.#netnsByUid.delete(uid);
        this.#ipsByUid.delete(uid);
      }
      return 'done';
    }
    if (!pod) return 'done';

    const ips = podIps(pod).length > 0 ? podIps(pod) : (this.#ipsByUid.get(uid) ?? []);
    let netnsPath = current?.workload.netnsPath ?? this.#netnsByUid.get(uid);
    if (netnsPath === undefined || !existsSync(netnsPath)) netnsPath = await findNetnsByIp(this.#o.netnsDir, ips, this.#o.netnsPrefix ?? '');
    if (netnsPath === undefined) {
      const msg = `no netns found for pod ${key} (IPs ${ips.join(', ') || 'unknown'})`;
      if (strict) throw new Error(msg);
      log.info({ pod: key }, `${msg}; will retry`);
      return 'retry';
    }
    this.#netnsByUid.set(uid, netnsPath);

    const overrides = podOverridesFrom(pod.metadata?.annotations);
    const overridesKey = JSON.stringify(overrides);
    let entry = current;
    if (!entry || entry.overrides !== overridesKey || entry.workload.netnsPath !== netnsPath) {
      await applyRedirection(netnsPath, this.#o.redirect, overrides, familiesFor(ips));
      await this.#o.hostProbe?.add(uid, ips);
      entry = {
        uid,
        key,
        ips,
        overrides: overridesKey,
        zdsSent: entry?.zdsSent === true && entry.workload.netnsPath === netnsPath,
        workload: {
          uid,
          name: pod.metadata?.name ?? '',
          namespace: pod.metadata?.namespace ?? '',
          serviceAccount: pod.spec?.serviceAccountName || 'default',
          netnsPath,
        },
      };
      this.#enrolled.set(uid, entry);
      log.info({ pod: key, uid, netns: netnsPath, reason: decision.reason }, 'redirection installed');
    }
    if (!entry.zdsSent) {
      try {
        await zds.add(entry.workload);
        entry.zdsSent = true;
        log.info({ pod: key, uid }, 'pod sent to ztunnel');
      } catch (err) {
        log.warn({ pod: key, uid, err: errorMessage(err) }, 'ztunnel not told yet; pod is pending');
      }
    }
    // A pod already marked enabled stays so while ztunnel is away (e.g. this agent restarted before ztunnel
    // reconnected): its rules are in place and ztunnel gets it in the next snapshot. Flapping it to pending would
    // make istiod stop sending it HBONE for that window.
    const keepEnabled = pod.metadata?.annotations?.[REDIRECTION_ANNOTATION] === 'enabled';
    const want = entry.zdsSent || keepEnabled ? 'enabled' : 'pending';
    if (pod.metadata?.annotations?.[REDIRECTION_ANNOTATION] !== want) {
      await kube.annotatePod(entry.workload.namespace, entry.workload.name, REDIRECTION_ANNOTATION, want);
    }
    return 'done';
  }

  async #unenroll(e: Enrolled, pod: V1Pod | undefined, reason: string): Promise<void> {
    const { kube, zds, log } = this.#o;
    await this.#o.hostProbe?.remove(e.ips).catch((err: unknown) => log.warn({ pod: e.key, err: errorMessage(err) }, 'cannot remove probe ipset entries'));
    const netns = e.workload.netnsPath;
    if (netns !== undefined && existsSync(netns)) {
      await removeRedirection(netns).catch((err: unknown) => log.warn({ pod: e.key, err: errorMessage(err) }, 'cannot remove redirection'));
    }
    await zds.del(e.uid);
    this.#enrolled.delete(e.uid);
    if (pod) await kube.annotatePod(e.workload.namespace, e.workload.name, REDIRECTION_ANNOTATION, null);
    log.info({ pod: e.key, uid: e.uid, reason }, 'pod removed from the mesh');
  }
}
