// Istio proxy node ids: `<type>~<ip>~<pod>.<namespace>~<namespace>.svc.<domain>` (ztunnel sends
// `ztunnel~10.244.1.3~ztunnel-abc.istio-system~istio-system.svc.cluster.local`).

export const PROXY_TYPES = ['sidecar', 'router', 'ztunnel', 'waypoint'] as const;
export type ProxyType = (typeof PROXY_TYPES)[number];

export interface ProxyNodeId {
  readonly type: ProxyType;
  readonly ip: string;
  readonly podName: string;
  readonly podNamespace: string;
  /** `<namespace>.svc.<domain>`. */
  readonly dnsDomain: string;
}

/** Parses a node id; returns an error message instead of throwing, for logs and syncz. */
export function parseNodeId(id: string): ProxyNodeId | { error: string } {
  const parts = id.split('~');
  if (parts.length !== 4) return { error: `node id ${JSON.stringify(id)} does not have 4 "~"-separated parts` };
  const [type, ip, podId, dnsDomain] = parts as [string, string, string, string];
  if (!(PROXY_TYPES as readonly string[]).includes(type)) {
    return { error: `node id ${JSON.stringify(id)} has unknown proxy type ${JSON.stringify(type)}` };
  }
  const dot = podId.indexOf('.');
  if (dot <= 0 || dot === podId.length - 1) {
    return { error: `node id ${JSON.stringify(id)}: ${JSON.stringify(podId)} is not <pod>.<namespace>` };
  }
  return { type: type as ProxyType, ip, podName: podId.slice(0, dot), podNamespace: podId.slice(dot + 1), dnsDomain };
}
