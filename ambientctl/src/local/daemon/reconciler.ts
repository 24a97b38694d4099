// The cluster's controllers in one loop: scheduler, Deployment controller, EndpointSlice controller,
// service proxy rules per node, DNS records, and the kubelets. Each tick lists the objects and converges;
// every decision is made by a pure function (controllers/*, dns/records.ts).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '@mesh/common/log';
import { errorMessage } from '@mesh/common/errors';
import type { KubeClient, Obj } from '../cluster/kube-client.ts';
import { corePath } from '../cluster/kube-client.ts';
import { runAsync } from '../cluster/run.ts';
import { schedule } from '../controllers/scheduler.ts';
import { planDeployment } from '../controllers/deployments.ts';
import { desiredSlice, sliceEqual } from '../controllers/endpointslices.ts';
import { serviceRules } from '../controllers/service-proxy.ts';
import { dnsRecords } from '../dns/records.ts';
import type { Kubelet } from '../kubelet/kubelet.ts';

const TICK_MS = 300;
const SLICES = '/apis/discovery.k8s.io/v1';
const APPS = '/apis/apps/v1';

export class Reconciler {
  readonly #kube: KubeClient;
  readonly #kubelets: readonly Kubelet[];
  readonly #dnsPath: string;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  #lastDns = '';
  readonly #lastRules = new Map<string, string>();
  #lastError = '';

  constructor(kube: KubeClient, kubelets: readonly Kubelet[], dnsPath: string, log: Logger) {
    this.#kube = kube;
    this.#kubelets = kubelets;
    this.#dnsPath = dnsPath;
    this.#log = log;
  }

  start(): void {
    const loop = (): void => {
      if (this.#closed) return;
      this.#running = this.tick()
        .then(() => {
          this.#lastError = '';
        })
        .catch((err: unknown) => {
          const msg = errorMessage(err);
          if (msg !== this.#lastError) this.#log.warn({ err: msg }, 'reconcile failed');
          this.#lastError = msg;
        })
        .finally(() => {
          if (!this.#closed) this.#timer = setTimeout(loop, TICK_MS);
        });
    };
    loop();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One pass of every controller. */
  async tick(): Promise<void> {
    const kube = this.#kube;
    let pods = await kube.list(corePath('pods'));
    const nodes = this.#kubelets.map((k) => k.node.name);

    for (const [key, node] of schedule(pods, nodes)) {
      const [ns, name] = key.split('/') as [string, string];
      await this.#quiet(kube.patch(corePath('pods', ns, name), { spec: { nodeName: node } }), `bind ${key}`);
    }

    let changed = false;
    for (const d of await kube.list(`${APPS}/deployments`)) {
      const ns = d.metadata.namespace ?? 'default';
      const plan = planDeployment(d, pods);
      for (const pod of plan.create) {
        await this.#quiet(kube.create(corePath('pods', ns), pod), `create pod for ${ns}/${d.metadata.name}`);
        changed = true;
      }
      for (const name of plan.delete) {
        await this.#quiet(kube.delete(corePath('pods', ns, name)), `delete pod ${ns}/${name}`);
        changed = true;
      }
      const st = d.status as Record<string, unknown> | undefined;
      if (JSON.stringify(pickStatus(st)) !== JSON.stringify(plan.status)) {
        await this.#quiet(kube.patch(`${APPS}/namespaces/${ns}/deployments/${d.metadata.name}/status`, { status: plan.status }), 'deployment status');
      }
    }
    if (changed) pods = await kube.list(corePath('pods'));
    for (const k of this.#kubelets) k.sync(pods);

    const services = await kube.list(corePath('services'));
    const slices = await kube.list(`${SLICES}/endpointslices`);
    for (const svc of services) {
      const want = desiredSlice(svc, pods);
      if (!want) continue;
      const ns = want.metadata.namespace ?? 'default';
      const have = slices.find((s) => s.metadata.namespace === ns && s.metadata.name === want.metadata.name);
      if (!have) await this.#quiet(kube.create(`${SLICES}/namespaces/${ns}/endpointslices`, want), `create slice ${want.metadata.name}`);
      else if (!sliceEqual(have, want)) {
        await this.#quiet(kube.put(`${SLICES}/namespaces/${ns}/endpointslices/${want.metadata.name}`, { ...want, metadata: { ...want.metadata, resourceVersion: have.metadata.resourceVersion } }), `update slice ${want.metadata.name}`);
      }
    }
    const freshSlices = await kube.list(`${SLICES}/endpointslices`);
    this.#writeDns(services, freshSlices);
    for (const k of this.#kubelets) await this.#applyRules(k, services, freshSlices);
  }

  #writeDns(services: readonly Obj[], slices: readonly Obj[]): void {
    const text = JSON.stringify(dnsRecords(services, slices));
    if (text === this.#lastDns) return;
    mkdirSync(dirname(this.#dnsPath), { recursive: true });
    writeFileSync(`${this.#dnsPath}.tmp`, text);
    renameSync(`${this.#dnsPath}.tmp`, this.#dnsPath);
    this.#lastDns = text;
  }

  async #applyRules(k: Kubelet, services: readonly Obj[], slices: readonly Obj[]): Promise<void> {
    const rules = serviceRules(services, slices, k.node.podCidr);
    if (this.#lastRules.get(k.node.name) === rules) return;
    await runAsync('ip', ['netns', 'exec', k.node.netns, 'iptables-restore', '--noflush'], { input: rules });
    this.#lastRules.set(k.node.name, rules);
  }

  async #quiet(p: Promise<unknown>, what: string): Promise<void> {
    try {
      await p;
    } catch (err) {
      this.#log.debug({ err: errorMessage(err) }, `${what} failed`);
    }
  }
}

function pickStatus(st: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    replicas: st?.['replicas'],
    readyReplicas: st?.['readyReplicas'],
    availableReplicas: st?.['availableReplicas'],
    updatedReplicas: st?.['updatedReplicas'],
    observedGeneration: st?.['observedGeneration'],
  };
}
