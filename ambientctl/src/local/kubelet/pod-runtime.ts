// One pod on a node: netns + CNI, containers, probes, status; and the teardown on delete.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@mesh/common/log';
import { errorMessage } from '@mesh/common/errors';
import type { Layout, NodeLayout } from '../cluster/layout.ts';
import { CLUSTER_DOMAIN, CONTROL_PLANE_IP, podNetnsName } from '../cluster/layout.ts';
import type { KubeClient, Obj } from '../cluster/kube-client.ts';
import { corePath } from '../cluster/kube-client.ts';
import { runAsync, tryRun } from '../cluster/run.ts';
import { netnsPids } from '../cluster/teardown.ts';
import type { StateFile } from '../cluster/state.ts';
import { cniAdd, cniDel, loadConfList, resultIps } from './cni.ts';
import type { CniPod, ConfList } from './cni.ts';
import { ContainerProcess } from './container.ts';
import { resolveContainer } from './images.ts';
import type { ContainerSpec } from './images.ts';
import { runProbe } from './probes.ts';
import type { Probe } from './probes.ts';

export const KUBELET_FINALIZER = 'ambientctl.local/kubelet';
const GRACE_MS = 5_000;

export interface PodContext {
  readonly layout: Layout;
  readonly node: NodeLayout;
  readonly kube: KubeClient;
  readonly state: StateFile;
  readonly log: Logger;
  readonly nodeNetnsFd: number;
}

interface ContainerState {
  readonly spec: ContainerSpec;
  proc?: ContainerProcess;
  ready: boolean;
  livenessFailures: number;
  probeTimer?: NodeJS.Timeout;
  probing: boolean;
}

function podSpec(pod: Obj): { containers: ContainerSpec[]; hostNetwork?: boolean; restartPolicy?: string; serviceAccountName?: string } {
  return pod.spec as never;
}

export class PodRuntime {
  readonly #c: PodContext;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly netns: string;
  readonly #hostNetwork: boolean;
  #pod: Obj;
  #containers: ContainerState[] = [];
  #podIp = '';
  #conf: ConfList | undefined;
  #cniResult: Record<string, unknown> | undefined;
  #stopping = false;
  #statusChain: Promise<void> = Promise.resolve();
  #phase = 'Pending';
  readonly #startTime = new Date().toISOString();

  constructor(c: PodContext, pod: Obj) {
    this.#c = c;
    this.#pod = pod;
    this.uid = pod.metadata.uid ?? '';
    this.namespace = pod.metadata.namespace ?? 'default';
    this.name = pod.metadata.name;
    this.#hostNetwork = podSpec(pod).hostNetwork === true;
    this.netns = this.#hostNetwork ? c.node.netns : podNetnsName(c.layout, this.uid);
  }

  get podIp(): string {
    return this.#podIp;
  }

  get #path(): string {
    return corePath('pods', this.namespace, this.name);
  }

  get #dir(): string {
    return join(this.#c.layout.dataDir, 'pods', this.uid);
  }

  /** Sets the pod up and starts its containers. Errors are reported in the pod's status. */
  async start(): Promise<void> {
    const { kube, log } = this.#c;
    const finalizers = this.#pod.metadata.finalizers ?? [];
    if (!finalizers.includes(KUBELET_FINALIZER)) {
      await kube.patch(this.#path, { metadata: { finalizers: [...finalizers, KUBELET_FINALIZER] } });
    }
    mkdirSync(this.#dir, { recursive: true });
    try {
      if (this.#hostNetwork) this.#podIp = this.#c.node.ip;
      else await this.#network();
    } catch (err) {
      log.error({ pod: `${this.namespace}/${this.name}`, err: errorMessage(err) }, 'pod network setup failed');
      await this.#status({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'NetworkSetupFailed', message: errorMessage(err) }] });
      throw err;
    }
    this.#phase = 'Running';
    for (const spec of podSpec(this.#pod).containers ?? []) this.#containers.push({ spec, ready: false, livenessFailures: 0, probing: false });
    for (const c of this.#containers) await this.#startContainer(c);
    log.info({ pod: `${this.namespace}/${this.name}`, ip: this.#podIp, netns: this.netns }, 'pod started');
    this.#publish();
  }

  async #network(): Promise<void> {
    const { node, state } = this.#c;
    state.addNetns(this.netns);
    await runAsync('ip', ['netns', 'add', this.netns]);
    await runAsync('ip', ['-n', this.netns, 'link', 'set', 'lo', 'up']);
    const etc = `/etc/netns/${this.netns}`;
    state.addEtcNetns(etc);
    mkdirSync(etc, { recursive: true });
    const search = [`${this.namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN].join(' ');
    writeFileSync(join(etc, 'resolv.conf'), `search ${search}\nnameserver ${CONTROL_PLANE_IP}\noptions ndots:5\n`);
    this.#conf = loadConfList(node.cniNetDir);
    this.#cniResult = await cniAdd(this.#conf, this.#cniPod(), [node.cniBinDir, '/usr/lib/cni', '/opt/cni/bin']);
    const ips = resultIps(this.#cniResult);
    if (!ips[0]) throw new Error(`CNI ADD returned no IP for ${this.namespace}/${this.name}`);
    this.#podIp = ips[0];
  }

  #cniPod(): CniPod {
    return { hostNetns: this.#c.node.netns, containerId: this.uid.replace(/-/g, ''), netnsPath: `/var/run/netns/${this.netns}`, namespace: this.namespace, name: this.name, uid: this.uid };
  }

  #env(c: ContainerSpec, extra: Record<string, string>): Record<string, string> {
    const spec = podSpec(this.#pod);
    const fields: Record<string, string> = {
      'metadata.name': this.name,
      'metadata.namespace': this.namespace,
      'metadata.uid': this.uid,
      'status.podIP': this.#podIp,
      'status.hostIP': this.#c.node.ip,
      'spec.nodeName': this.#c.node.name,
      'spec.serviceAccountName': spec.serviceAccountName ?? 'default',
    };
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
      HOME: process.env['HOME'] ?? '/root',
      HOSTNAME: this.name,
      POD_NAME: this.name,
      POD_NAMESPACE: this.namespace,
      POD_IP: this.#podIp,
      NODE_NAME: this.#c.node.name,
      ...extra,
    };
    for (const e of (c.env ?? []) as { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[]) {
      const ref = e.valueFrom?.fieldRef?.fieldPath;
      env[e.name] = ref !== undefined ? (fields[ref] ?? '') : (e.value ?? '');
    }
    return env;
  }

  async #startContainer(c: ContainerState): Promise<void> {
    const { layout, state, log } = this.#c;
    const image = resolveContainer(c.spec, this.#pod);
    mkdirSync(layout.podLogsDir, { recursive: true });
    const policy = podSpec(this.#pod).restartPolicy ?? 'Always';
    c.proc = new ContainerProcess({
      name: c.spec.name,
      netns: this.netns,
      command: image.command,
      args: image.args,
      env: this.#env(c.spec, image.env),
      cwd: this.#dir,
      logPath: join(layout.podLogsDir, `${this.namespace}_${this.name}_${c.spec.name}.log`),
      restart: (code) => !this.#stopping && (policy === 'Always' || (policy === 'OnFailure' && code !== 0)),
      onStart: (pid) => {
        state.addProcess(pid, `pod ${this.namespace}/${this.name}/${c.spec.name}`);
        this.#publish();
      },
      onExit: (pid, code) => {
        state.removeProcess(pid);
        c.ready = false;
        if (this.#stopping) return;
        log.info({ pod: `${this.namespace}/${this.name}`, container: c.spec.name, code }, 'container exited');
        if (policy === 'Never' || (policy === 'OnFailure' && code === 0)) {
          if (this.#containers.every((x) => !x.proc?.running)) {
            this.#phase = this.#containers.every((x) => x.proc?.lastExit === 0) ? 'Succeeded' : 'Failed';
          }
        }
        this.#publish();
      },
    });
    c.proc.start();
    this.#scheduleProbes(c, ((c.spec.readinessProbe ?? c.spec.livenessProbe) as Probe | undefined)?.initialDelaySeconds ?? 0);
  }

  #scheduleProbes(c: ContainerState, delaySeconds: number): void {
    const readiness = c.spec.readinessProbe as Probe | undefined;
    const liveness = c.spec.livenessProbe as Probe | undefined;
    if (!readiness) c.ready = c.proc?.running ?? false;
    if (!readiness && !liveness) return;
    const period = Math.max(1, Math.min(readiness?.periodSeconds ?? 10, liveness?.periodSeconds ?? 10));
    c.probeTimer = setTimeout(() => {
      void this.#probe(c).finally(() => {
        if (!this.#stopping) this.#scheduleProbes(c, period);
      });
    }, delaySeconds * 1000);
  }

  async #probe(c: ContainerState): Promise<void> {
    const ports = c.spec.ports ?? [];
    const readiness = c.spec.readinessProbe as Probe | undefined;
    const liveness = c.spec.livenessProbe as Probe | undefined;
    if (!c.proc?.running) {
      if (c.ready) this.#setReady(c, false);
      return;
    }
    if (readiness) {
      const ok = await runProbe(readiness, this.#podIp, ports, this.#c.nodeNetnsFd);
      if (ok !== c.ready) this.#setReady(c, ok && (c.proc?.running ?? false));
    }
    if (liveness) {
      const ok = await runProbe(liveness, this.#podIp, ports, this.#c.nodeNetnsFd);
      c.livenessFailures = ok ? 0 : c.livenessFailures + 1;
      if (c.livenessFailures >= (liveness.failureThreshold ?? 3)) {
        this.#c.log.info({ pod: `${this.namespace}/${this.name}`, container: c.spec.name }, 'liveness probe failed: restarting container');
        c.livenessFailures = 0;
        c.proc?.kill();
      }
    }
  }

  #setReady(c: ContainerState, ready: boolean): void {
    c.ready = ready;
    this.#publish();
  }

  /** Writes the current status (serialised, latest wins). */
  #publish(): void {
    if (this.#stopping) return;
    const now = new Date().toISOString();
    for (const c of this.#containers) if (!c.spec.readinessProbe) c.ready = c.proc?.running ?? false;
    const allReady = this.#containers.length > 0 && this.#containers.every((c) => c.ready);
    const cond = (type: string, ok: boolean): Record<string, string> => ({ type, status: ok ? 'True' : 'False', lastTransitionTime: now });
    void this.#status({
      phase: this.#phase,
      hostIP: this.#c.node.ip,
      hostIPs: [{ ip: this.#c.node.ip }],
      podIP: this.#podIp,
      podIPs: [{ ip: this.#podIp }],
      startTime: this.#startTime,
      conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', allReady), cond('Ready', allReady)],
      containerStatuses: this.#containers.map((c) => ({
        name: c.spec.name,
        image: c.spec.image ?? '',
        ready: c.ready,
        started: c.proc?.running ?? false,
        restartCount: c.proc?.restarts ?? 0,
        state: c.proc?.running ? { running: { startedAt: now } } : { waiting: { reason: 'CrashLoopBackOff' } },
      })),
    });
  }

  #status(status: Record<string, unknown>): Promise<void> {
    this.#statusChain = this.#statusChain
      .then(() => this.#c.kube.patch(`${this.#path}/status`, { status }))
      .then(
        () => undefined,
        (err: unknown) => this.#c.log.debug({ pod: `${this.namespace}/${this.name}`, err: errorMessage(err) }, 'status update failed'),
      );
    return this.#statusChain;
  }

  /** Stops containers, runs CNI DEL, deletes the netns and resolv.conf, then releases the pod object. */
  async stop(opts: { release: boolean }): Promise<void> {
    this.#stopping = true;
    for (const c of this.#containers) clearTimeout(c.probeTimer);
    await Promise.all(this.#containers.map((c) => c.proc?.stop(GRACE_MS)));
    await this.#statusChain;
    const { node, state, log } = this.#c;
    if (!this.#hostNetwork) {
      // Whatever the containers forked is in the netns too.
      for (const pid of netnsPids(this.netns)) tryRun('kill', ['-9', String(pid)]);
      if (this.#conf) {
        try {
          await cniDel(this.#conf, this.#cniPod(), [node.cniBinDir, '/usr/lib/cni', '/opt/cni/bin'], this.#cniResult);
        } catch (err) {
          log.warn({ pod: `${this.namespace}/${this.name}`, err: errorMessage(err) }, 'CNI DEL failed');
        }
      }
      tryRun('ip', ['netns', 'del', this.netns]);
      state.removeNetns(this.netns);
      const etc = `/etc/netns/${this.netns}`;
      rmSync(etc, { recursive: true, force: true });
      state.removeEtcNetns(etc);
    }
    rmSync(this.#dir, { recursive: true, force: true });
    if (opts.release) await this.#release();
    log.info({ pod: `${this.namespace}/${this.name}` }, 'pod stopped');
  }

  async #release(): Promise<void> {
    const current = await this.#c.kube.get(this.#path);
    if (!current || current.metadata.uid !== this.uid) return;
    const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== KUBELET_FINALIZER);
    await this.#c.kube.patch(this.#path, { metadata: { finalizers: finalizers.length ? finalizers : null } });
  }

  /** Kills everything at once (daemon shutdown): `down` deletes the netns afterwards. */
  async kill(): Promise<void> {
    this.#stopping = true;
    for (const c of this.#containers) clearTimeout(c.probeTimer);
    await Promise.all(this.#containers.map((c) => c.proc?.stop(1000)));
  }
}
