// Redirection rules (pure): the in-pod iptables rules and ip rule/route commands, and the host probe rule.
import { hostProbeTables } from './host-probe-rules.ts';
import { inpodTables } from './inpod-rules.ts';
import type { PodOverrides, RedirectConfig } from './options.ts';
import { formatTables } from './restore-text.ts';

export * from './options.ts';
export { podOverridesFrom } from './pod-overrides.ts';
export { inpodTables, dnsCaptured, PRERT, OUTPUT } from './inpod-rules.ts';
export { hostProbeTables, probeIpsetName, probeIpsetCreateArgs, POSTRT } from './host-probe-rules.ts';
export { formatTables, parseSave, applyText, removeText, hasOwnedChains } from './restore-text.ts';
export type { SavedTable } from './restore-text.ts';
export type { TableRules, TableName, Jump } from './tables.ts';
export { fwmarkRule, localRoute, fwmarkRuleShow } from './routes.ts';
export { buildInpodNftRules, buildHostProbeNftRules } from './nft-rules.ts';

/** istio-cni's in-pod rule text (v4, then v6 when `ipv6`), one line per element, as in its goldens. */
export function buildInpodRules(config: RedirectConfig, pod: PodOverrides, opts: { ipv6: boolean }): string[] {
  const out = formatTables(inpodTables(config, pod, 4));
  if (opts.ipv6) out.push(...formatTables(inpodTables(config, pod, 6)));
  return out;
}

/** istio-cni's host probe rule text (v4, then v6 when `ipv6`). */
export function buildHostProbeRules(config: RedirectConfig, opts: { ipv6: boolean }): string[] {
  const out = formatTables(hostProbeTables(config, 4));
  if (opts.ipv6) out.push(...formatTables(hostProbeTables(config, 6)));
  return out;
}
