// Inputs of the in-pod and host rule generators: the node-wide settings and one pod's overrides
// (names as in istio-cni's iptables config and pod annotations).

/** Node-wide redirection settings. */
export interface RedirectConfig {
  /** Capture DNS (port 53) to ztunnel's DNS proxy (15053) unless a pod overrides it. */
  readonly redirectDNS: boolean;
  /** Source address the node SNATs kubelet probes to (v4). */
  readonly hostProbeSNATAddress: string;
  /** Source address the node SNATs kubelet probes to (v6). */
  readonly hostProbeV6SNATAddress: string;
}

/** Per-pod DNS capture override (`ambient.istio.io/dns-capture`). */
export type DnsOverride = 'enabled' | 'disabled' | 'default';

/** Per-pod settings, from pod annotations. */
export interface PodOverrides {
  /** `ambient.istio.io/bypass-inbound-capture`: outbound-only capture. */
  readonly ingressMode?: boolean;
  /** `istio.io/reroute-virtual-interfaces`: inbound TCP on these interfaces goes to the outbound listener. */
  readonly virtualInterfaces?: readonly string[];
  readonly dnsProxy?: DnsOverride;
}

/** IP family of one rule set. */
export type Family = 4 | 6;

export const DEFAULT_REDIRECT_CONFIG: RedirectConfig = Object.freeze({
  redirectDNS: true,
  hostProbeSNATAddress: '169.254.7.127',
  hostProbeV6SNATAddress: 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff',
});

/** Ports, marks and table numbers shared with ztunnel (reference §3.1). */
export const REDIRECT = Object.freeze({
  outboundPort: 15001,
  inboundPlaintextPort: 15006,
  hbonePort: 15008,
  dnsPort: 15053,
  inpodMark: '0x539/0xfff',
  connMark: '0x111/0xfff',
  routeTable: 100,
  rulePriority: 32764,
  dnsZone: 1,
});

/** Pod annotations that feed PodOverrides. */
export const ANNOTATION = Object.freeze({
  bypassInbound: 'ambient.istio.io/bypass-inbound-capture',
  dnsCapture: 'ambient.istio.io/dns-capture',
  rerouteVirtualInterfaces: 'istio.io/reroute-virtual-interfaces',
});
