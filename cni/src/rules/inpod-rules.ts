// In-pod iptables rules (istio-cni AppendInpodRules, REDIRECT variant; reference §3.1). Pure.
import { REDIRECT } from './options.ts';
import type { Family, PodOverrides, RedirectConfig } from './options.ts';
import { chainOrder } from './tables.ts';
import type { TableRules } from './tables.ts';

export const PRERT = 'ISTIO_PRERT';
export const OUTPUT = 'ISTIO_OUTPUT';
const OWNED = [PRERT, OUTPUT] as const;

/** Whether DNS is captured for this pod: the pod annotation wins over the node setting. */
export function dnsCaptured(config: RedirectConfig, pod: PodOverrides): boolean {
  if (pod.dnsProxy === 'enabled') return true;
  if (pod.dnsProxy === 'disabled') return false;
  return config.redirectDNS;
}

function table(name: TableRules['table'], jumps: TableRules['jumps'], rules: string[]): TableRules {
  return { table: name, chains: chainOrder(rules, OWNED), jumps, rules };
}

/** The in-pod tables for one family, in the order they are written (mangle, nat, then raw when DNS is captured). */
export function inpodTables(config: RedirectConfig, pod: PodOverrides, family: Family): TableRules[] {
  const local = family === 4 ? '127.0.0.1/32' : '::1/128';
  const probe = family === 4 ? config.hostProbeSNATAddress : config.hostProbeV6SNATAddress;
  const { inpodMark, connMark } = REDIRECT;
  const dns = dnsCaptured(config, pod);
  const ingress = pod.ingressMode === true;

  const mangle = table('mangle', [{ from: 'PREROUTING', to: PRERT }, { from: 'OUTPUT', to: OUTPUT }], [
    `-A ${PRERT} -m mark --mark ${inpodMark} -j CONNMARK --set-xmark ${connMark}`,
    `-A ${OUTPUT} -m connmark --mark ${connMark} -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff`,
  ]);

  const nat: string[] = [];
  for (const iface of pod.virtualInterfaces ?? []) {
    nat.push(`-A ${PRERT} -i ${iface} -p tcp -j REDIRECT --to-ports ${REDIRECT.outboundPort}`);
    nat.push(`-A ${PRERT} -i ${iface} -p tcp -j RETURN`);
  }
  if (!ingress) nat.push(`-A ${PRERT} -s ${probe} -p tcp -m tcp -j ACCEPT`);
  nat.push(`-A ${OUTPUT} -d ${probe} -p tcp -m tcp -j ACCEPT`);
  if (!ingress) {
    nat.push(
      `-A ${PRERT} ! -d ${local} -p tcp ! --dport ${REDIRECT.hbonePort} -m mark ! --mark ${inpodMark} -j REDIRECT --to-ports ${REDIRECT.inboundPlaintextPort}`,
    );
  }
  if (dns) {
    nat.push(`-A ${OUTPUT} ! -o lo -p udp -m mark ! --mark ${inpodMark} -m udp --dport 53 -j REDIRECT --to-port ${REDIRECT.dnsPort}`);
    nat.push(`-A ${OUTPUT} ! -d ${local} -p tcp --dport 53 -m mark ! --mark ${inpodMark} -j REDIRECT --to-ports ${REDIRECT.dnsPort}`);
  }
  nat.push(`-A ${OUTPUT} -p tcp -m mark --mark ${connMark} -j ACCEPT`);
  nat.push(`-A ${OUTPUT} ! -d ${local} -o lo -j ACCEPT`);
  nat.push(`-A ${OUTPUT} ! -d ${local} -p tcp -m mark ! --mark ${inpodMark} -j REDIRECT --to-ports ${REDIRECT.outboundPort}`);

  const out = [mangle, table('nat', [{ from: 'OUTPUT', to: OUTPUT }, { from: 'PREROUTING', to: PRERT }], nat)];
  if (dns) {
    out.push(
      table('raw', [{ from: 'PREROUTING', to: PRERT }, { from: 'OUTPUT', to: OUTPUT }], [
        `-A ${OUTPUT} -p udp -m mark --mark ${inpodMark} -m udp --dport 53 -j CT --zone ${REDIRECT.dnsZone}`,
        `-A ${PRERT} -p udp -m mark ! --mark ${inpodMark} -m udp --sport 53 -j CT --zone ${REDIRECT.dnsZone}`,
      ]),
    );
  }
  return out;
}
