// The proxy state: workloads, services and policies with the indexes the proxies need. One writer (the xDS
// handler or the local file loader) calls the mutators; proxies only see the read-only StateView.
import { selectPolicies } from '@mesh/common/authz';
import type { Policy } from '@mesh/common/authz';
import type { AddressValue } from './convert.ts';
import { canonicalIpText } from './ip-text.ts';
import { serviceKey } from './types.ts';
import type { Service, Workload } from './types.ts';

/** What changed, for listeners (policy re-evaluation, certificate prefetch). */
export type StateChange = 'workloads' | 'services' | 'policies';

/** Read-only access to the state. */
export interface StateView {
  workloadByUid(uid: string): Workload | undefined;
  workloadByIp(network: string, ip: string): Workload | undefined;
  serviceByVip(network: string, ip: string): Service | undefined;
  serviceByKey(key: string): Service | undefined;
  /** Workloads that back the service (listed in their `services`). */
  endpointsOf(service: Service): Workload[];
  /** The policies that apply to a destination workload, in ztunnel's order. */
  policiesFor(workload: Workload): Policy[];
  workloads(): Iterable<Workload>;
  /** Listener for changes; returns the function that removes it. */
  onChange(listener: (change: StateChange) => void): () => void;
}

const ipKey = (network: string, ip: string) => `${network}/${canonicalIpText(ip)}`;

export class ProxyState implements StateView {
  readonly #workloads = new Map<string, Workload>();
  readonly #workloadsByIp = new Map<string, Workload>();
  readonly #services = new Map<string, Service>();
  readonly #servicesByVip = new Map<string, Service>();
  /** service key → uids of workloads that list it. */
  readonly #endpoints = new Map<string, Set<string>>();
  readonly #policies = new Map<string, Policy>();
  readonly #listeners = new Set<(change: StateChange) => void>();

  // === writer ===

  /** Adds or replaces the Address resource named `name` (a workload uid or `ns/hostname`). */
  upsertAddress(name: string, value: AddressValue): void {
    if (value.kind === 'workload') {
      this.#removeWorkload(name);
      this.#addWorkload(value.workload);
      this.#emit('workloads');
    } else {
      this.#removeService(name);
      const s = value.service;
      this.#services.set(serviceKey(s), s);
      for (const vip of s.vips) this.#servicesByVip.set(ipKey(vip.network, vip.ip), s);
      this.#emit('services');
    }
  }

  removeAddress(name: string): void {
    if (this.#removeWorkload(name)) this.#emit('workloads');
    else if (this.#removeService(name)) this.#emit('services');
  }

  upsertPolicy(key: string, policy: Policy): void {
    this.#policies.set(key, policy);
    this.#emit('policies');
  }

  removePolicy(key: string): void {
    if (this.#policies.delete(key)) this.#emit('policies');
  }

  /** Replaces everything (local file reload). */
  replaceAll(addresses: ReadonlyMap<string, AddressValue>, policies: ReadonlyMap<string, Policy>): void {
    for (const uid of [...this.#workloads.keys()]) this.#removeWorkload(uid);
    for (const key of [...this.#services.keys()]) this.#removeService(key);
    this.#policies.clear();
    for (const [name, value] of addresses) {
      if (value.kind === 'workload') this.#addWorkload(value.workload);
      else {
        this.#services.set(name, value.service);
        for (const vip of value.service.vips) this.#servicesByVip.set(ipKey(vip.network, vip.ip), value.service);
      }
    }
    for (const [key, p] of policies) this.#policies.set(key, p);
    this.#emit('workloads');
    this.#emit('services');
    this.#emit('policies');
  }

  #addWorkload(w: Workload): void {
    this.#workloads.set(w.uid, w);
    for (const ip of w.addresses) this.#workloadsByIp.set(ipKey(w.network, ip), w);
    for (const key of Object.keys(w.services)) {
      let set = this.#endpoints.get(key);
      if (!set) this.#endpoints.set(key, (set = new Set()));
      set.add(w.uid);
    }
  }

  #removeWorkload(uid: string): boolean {
    const w = this.#workloads.get(uid);
    if (!w) return false;
    this.#workloads.delete(uid);
    for (const ip of w.addresses) {
      const k = ipKey(w.network, ip);
      if (this.#workloadsByIp.get(k) === w) this.#workloadsByIp.delete(k);
    }
    for (const key of Object.keys(w.services)) {
      const set = this.#endpoints.get(key);
      set?.delete(uid);
      if (set?.size === 0) this.#endpoints.delete(key);
    }
    return true;
  }

  #removeService(key: string): boolean {
    const s = this.#services.get(key);
    if (!s) return false;
    this.#services.delete(key);
    for (const vip of s.vips) {
      const k = ipKey(vip.network, vip.ip);
      if (this.#servicesByVip.get(k) === s) this.#servicesByVip.delete(k);
    }
    return true;
  }

  #emit(change: StateChange): void {
    for (const l of this.#listeners) l(change);
  }

  // === readers ===

  workloadByUid(uid: string): Workload | undefined {
    return this.#workloads.get(uid);
  }

  workloadByIp(network: string, ip: string): Workload | undefined {
    return this.#workloadsByIp.get(ipKey(network, ip));
  }

  serviceByVip(network: string, ip: string): Service | undefined {
    return this.#servicesByVip.get(ipKey(network, ip));
  }

  serviceByKey(key: string): Service | undefined {
    return this.#services.get(key);
  }

  endpointsOf(service: Service): Workload[] {
    const uids = this.#endpoints.get(serviceKey(service));
    if (!uids) return [];
    return [...uids].map((u) => this.#workloads.get(u)).filter((w): w is Workload => w !== undefined);
  }

  policiesFor(workload: Workload): Policy[] {
    return selectPolicies([...this.#policies.values()], {
      namespace: workload.namespace,
      workloadPolicyNames: workload.authorizationPolicies,
    });
  }

  workloads(): Iterable<Workload> {
    return this.#workloads.values();
  }

  onChange(listener: (change: StateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The `/config_dump` view. */
  dump(): { workloads: Workload[]; services: Service[]; policies: Policy[] } {
    return { workloads: [...this.#workloads.values()], services: [...this.#services.values()], policies: [...this.#policies.values()] };
  }
}
