// The same rules for istio-cni's native nftables backend (tables `inet istio-ambient-*`), as the nft commands
// its goldens list. Pure; the agent applies the iptables form today. Spacing quirks of upstream's text are kept
// on purpose so the goldens match byte for byte.
import { dnsCaptured } from './inpod-rules.ts';
import { REDIRECT } from './options.ts';
import type { PodOverrides, RedirectConfig } from './options.ts';

const NAT = 'istio-ambient-nat';
const MANGLE = 'istio-ambient-mangle';
const RAW = 'istio-ambient-raw';

interface Dual {
  readonly v4: string;
  readonly v6?: string;
}

function head(table: string, hooks: readonly string[]): string[] {
  return [`add table inet ${table}`, `flush table inet ${table}`, ...hooks.map((h) => `add chain inet ${table} ${h}`)];
}

function rules(table: string, list: readonly Dual[], ipv6: boolean): string[] {
  const out: string[] = [];
  for (const r of list) {
    out.push(`add rule inet ${table} ${r.v4}`);
    if (ipv6 && r.v6 !== undefined) out.push(`add rule inet ${table} ${r.v6}`);
  }
  return out;
}

/** The in-pod nft commands (v6 twins follow each family-specific rule when `ipv6`). */
export function buildInpodNftRules(config: RedirectConfig, pod: PodOverrides, opts: { ipv6: boolean }): string[] {
  const p4 = config.hostProbeSNATAddress;
  const p6 = config.hostProbeV6SNATAddress;
  const { outboundPort, inboundPlaintextPort, hbonePort, dnsPort, dnsZone } = REDIRECT;
  const ingress = pod.ingressMode === true;
  const dns = dnsCaptured(config, pod);
  const nat: Dual[] = [{ v4: 'output jump istio-output' }, { v4: 'prerouting jump istio-prerouting' }];
  for (const i of pod.virtualInterfaces ?? []) {
    nat.push({ v4: `istio-prerouting iifname ${i} meta l4proto tcp counter redirect to :${outboundPort}` });
    nat.push({ v4: `istio-prerouting iifname ${i} meta l4proto tcp counter return` });
  }
  if (!ingress) nat.push({ v4: `istio-prerouting meta l4proto tcp ip saddr ${p4} counter accept`, v6: `istio-prerouting meta l4proto tcp ip6 saddr ${p6} counter accept` });
  nat.push({ v4: `istio-output meta l4proto tcp ip daddr ${p4} counter accept`, v6: `istio-output meta l4proto tcp ip6 daddr ${p6} counter accept` });
  if (!ingress) {
    nat.push({
      v4: `istio-prerouting ip daddr != 127.0.0.1/32 tcp dport != ${hbonePort} mark and 0xfff  != 0x539 counter redirect to :${inboundPlaintextPort}`,
      v6: `istio-prerouting ip6 daddr != ::1/128 tcp dport != ${hbonePort} mark and 0xfff != 0x539 counter redirect to :${inboundPlaintextPort}`,
    });
  }
  if (dns) {
    nat.push({ v4: `istio-output oifname != lo mark and 0xfff != 0x539 udp dport 53 counter redirect to :${dnsPort}` });
    nat.push({
      v4: `istio-output ip daddr != 127.0.0.1/32 tcp dport 53 mark and 0xfff != 0x539 counter redirect to :${dnsPort}`,
      v6: `istio-output ip6 daddr != ::1/128 tcp dport 53 mark and 0xfff != 0x539 counter redirect to :${dnsPort}`,
    });
  }
  nat.push({ v4: 'istio-output meta l4proto tcp mark and 0xfff == 0x111 counter accept' });
  nat.push({ v4: 'istio-output oifname lo ip daddr != 127.0.0.1/32 counter accept', v6: 'istio-output oifname lo ip6 daddr != ::1/128 counter accept' });
  nat.push({
    v4: `istio-output meta l4proto tcp ip daddr != 127.0.0.1/32 mark and 0xfff != 0x539 counter redirect to :${outboundPort}`,
    v6: `istio-output meta l4proto tcp ip6 daddr != ::1/128 mark and 0xfff != 0x539 counter redirect to :${outboundPort}`,
  });

  const own = ['istio-prerouting', 'istio-output'];
  const out = [
    ...head(NAT, ['prerouting { type nat hook prerouting priority -100 ; }', 'output { type nat hook output priority -100 ; }', ...own]),
    ...rules(NAT, nat, opts.ipv6),
    ...head(MANGLE, ['prerouting { type filter hook prerouting priority -150 ; }', 'output { type route hook output priority -150 ; }', ...own]),
    ...rules(
      MANGLE,
      [
        { v4: 'prerouting jump istio-prerouting' },
        { v4: 'output jump istio-output' },
        { v4: 'istio-prerouting meta mark & 0xfff == 0x539 counter ct mark set ct mark & 0xfffff000 |  0x111' },
        { v4: 'istio-output ct mark and 0xfff == 0x111 counter meta mark set ct mark' },
      ],
      opts.ipv6,
    ),
  ];
  if (dns) {
    out.push(
      ...head(RAW, ['prerouting { type filter hook prerouting priority -300 ; }', 'output { type filter hook output priority -300 ; }', ...own]),
      ...rules(
        RAW,
        [
          { v4: 'prerouting jump istio-prerouting' },
          { v4: 'output jump istio-output' },
          { v4: `istio-output udp dport 53 meta mark and 0xfff == 0x539 counter ct zone set ${dnsZone}` },
          { v4: `istio-prerouting udp sport 53 meta mark and 0xfff != 0x539 counter ct zone set ${dnsZone}` },
        ],
        opts.ipv6,
      ),
    );
  }
  return out;
}

/** The host probe nft commands (upstream matches kubelet by uid; its test fixes the uid at 1000). */
export function buildHostProbeNftRules(config: RedirectConfig, opts: { ipv6: boolean; kubeletUid?: number }): string[] {
  const uid = opts.kubeletUid ?? 1000;
  return [
    ...head(NAT, ['postrouting { type nat hook postrouting priority 100 ; }']),
    ...rules(
      NAT,
      [
        {
          v4: `postrouting meta l4proto tcp skuid ${uid} ip daddr @istio-inpod-probes-v4 counter snat to ${config.hostProbeSNATAddress}`,
          v6: `postrouting meta l4proto tcp skuid ${uid} ip6 daddr @istio-inpod-probes-v6 counter snat to ${config.hostProbeV6SNATAddress}`,
        },
      ],
      opts.ipv6,
    ),
  ];
}
