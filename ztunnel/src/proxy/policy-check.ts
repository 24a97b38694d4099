// L4 authorization at the destination (reference §4.5) and its re-assertion for the life of each connection:
// when policies or workloads change, tracked connections are evaluated again and now-denied ones closed.
import { evaluate } from '@mesh/common/authz';
import type { Decision } from '@mesh/common/authz';
import type { SpiffeId } from '@mesh/common/identity';
import type { StateView } from '../state/store.ts';
import type { Workload } from '../state/types.ts';

export interface InboundConnection {
  readonly srcIdentity: SpiffeId | undefined;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly dstPort: number;
  /** The destination pod's namespace (from ZDS), used when WDS does not know the pod yet. */
  readonly dstNamespace: string;
}

/** Decides one connection against the destination's policies. */
export function authorize(state: StateView, conn: InboundConnection, network: string): Decision {
  const dst: Workload | undefined = state.workloadByIp(network, conn.dstIp);
  const policies = dst
    ? state.policiesFor(dst)
    : state.policiesFor({ namespace: conn.dstNamespace, authorizationPolicies: [] } as unknown as Workload);
  return evaluate(policies, {
    srcIdentity: conn.srcIdentity ?? null,
    srcIp: conn.srcIp,
    dstIp: conn.dstIp,
    dstPort: conn.dstPort,
    dstNamespace: dst?.namespace ?? conn.dstNamespace,
  });
}

interface Tracked {
  readonly conn: InboundConnection;
  readonly close: (reason: string) => void;
}

/** Live inbound connections, re-checked whenever policies or workloads change. */
export class ConnectionTracker {
  readonly #live = new Set<Tracked>();
  readonly #state: StateView;
  readonly #network: string;
  readonly #stop: () => void;

  constructor(state: StateView, network: string) {
    this.#state = state;
    this.#network = network;
    this.#stop = state.onChange((change) => {
      if (change !== 'services') this.recheck();
    });
  }

  /** Tracks a connection until the returned function is called. */
  add(conn: InboundConnection, close: (reason: string) => void): () => void {
    const t = { conn, close };
    this.#live.add(t);
    return () => this.#live.delete(t);
  }

  get size(): number {
    return this.#live.size;
  }

  recheck(): void {
    for (const t of [...this.#live]) {
      let reason: string | undefined;
      try {
        const d = authorize(this.#state, t.conn, this.#network);
        if (d.decision === 'deny') reason = d.reason;
      } catch (err) {
        reason = `policy evaluation failed: ${(err as Error).message}`;
      }
      if (reason !== undefined) {
        this.#live.delete(t);
        t.close(`AuthorizationPolicyLateRejection: ${reason}`);
      }
    }
  }

  close(): void {
    this.#stop();
    this.#live.clear();
  }
}
