// The proxy set of one enrolled pod: 15001, 15006 and 15008 inside its netns. All three are bound before the
// pod is reported started, so a bind failure is the ZDS add's error. stop() drains: listeners close, open
// connections get until the deadline, then are cut.
import { closeFd } from '@mesh/common/net';
import { InboundHbone } from './inbound.ts';
import { InboundPlaintext } from './inbound-plaintext.ts';
import type { Live, PodInfo, ProxyInputs } from './inputs.ts';
import { Outbound } from './outbound.ts';

/** Ports of the per-pod listeners (tests may move them). */
export interface PodPorts {
  readonly outbound: number;
  readonly inboundPlaintext: number;
  readonly inbound: number;
}

export const DEFAULT_POD_PORTS: PodPorts = { outbound: 15001, inboundPlaintext: 15006, inbound: 15008 };

export class PodProxy {
  readonly pod: PodInfo;
  readonly #inputs: ProxyInputs;
  readonly #live: Live = new Set();
  #outbound: Outbound | undefined;
  #plain: InboundPlaintext | undefined;
  #inbound: InboundHbone | undefined;
  #stopped: Promise<void> | undefined;

  private constructor(inputs: ProxyInputs, pod: PodInfo) {
    this.#inputs = inputs;
    this.pod = pod;
  }

  /** Binds all listeners in the pod's netns; on failure releases what was bound and rethrows. */
  static async start(inputs: ProxyInputs, pod: PodInfo, ports: PodPorts = DEFAULT_POD_PORTS): Promise<PodProxy> {
    const p = new PodProxy(inputs, pod);
    inputs.certs.track(pod.identity);
    try {
      p.#inbound = await InboundHbone.bind(inputs, pod, p.#live, ports.inbound);
      p.#plain = await InboundPlaintext.bind(inputs, pod, p.#live, ports.inboundPlaintext);
      p.#outbound = await Outbound.bind(inputs, pod, p.#live, ports.outbound);
    } catch (err) {
      await p.stop(0);
      throw err;
    }
    return p;
  }

  /** Open sockets and streams (for tests and the config dump). */
  get openConnections(): number {
    return this.#live.size;
  }

  /** The HBONE server on 15008 (tests watch its sessions). */
  get inboundServer(): InboundHbone['server'] | undefined {
    return this.#inbound?.server;
  }

  get pool(): Outbound['pool'] | undefined {
    return this.#outbound?.pool;
  }

  /** Drains: stop accepting, wait up to `deadlineMs` for open connections, then cut them. Idempotent. */
  stop(deadlineMs: number): Promise<void> {
    this.#stopped ??= this.#stop(deadlineMs);
    return this.#stopped;
  }

  async #stop(deadlineMs: number): Promise<void> {
    const graceful = Promise.all([this.#inbound?.close(false), this.#plain?.close(), this.#outbound?.close(false)]);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deadlineMs);
    });
    const outcome = await Promise.race([graceful.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const c of [...this.#live]) c.destroy();
      // Forced: cut everything and move on; the graceful closes finish on their own once their sockets are gone.
      void this.#inbound?.close(true).catch(() => {});
      void this.#outbound?.close(true).catch(() => {});
      void graceful.catch(() => {});
    }
    this.#inputs.certs.release(this.pod.identity);
    try {
      closeFd(this.pod.netnsFd);
    } catch {
      // Already closed.
    }
  }
}
