// Host-side rule that SNATs kubelet probes to enrolled pods (istio-cni CreateHostRulesForHealthChecks). Pure.
import type { Family, RedirectConfig } from './options.ts';
import type { TableRules } from './tables.ts';

export const POSTRT = 'ISTIO_POSTRT';

/** The ipset holding enrolled pod IPs of one family (entry comment = pod UID). */
export function probeIpsetName(family: Family): string {
  return family === 4 ? 'istio-inpod-probes-v4' : 'istio-inpod-probes-v6';
}

/** The host nat table: only locally originated (kubelet) TCP to enrolled pods is SNATed. */
export function hostProbeTables(config: RedirectConfig, family: Family): TableRules[] {
  const snat = family === 4 ? config.hostProbeSNATAddress : config.hostProbeV6SNATAddress;
  return [
    {
      table: 'nat',
      chains: [POSTRT],
      jumps: [{ from: 'POSTROUTING', to: POSTRT, insert: true }],
      rules: [`-A ${POSTRT} -m owner --socket-exists -p tcp -m set --match-set ${probeIpsetName(family)} dst -j SNAT --to-source ${snat}`],
    },
  ];
}

/** `ipset` commands creating the probe set of one family (idempotent with -exist). */
export function probeIpsetCreateArgs(family: Family): string[] {
  return ['create', probeIpsetName(family), 'hash:ip', 'family', family === 4 ? 'inet' : 'inet6', 'comment', '-exist'];
}
