// Installs and removes the in-pod redirection inside a pod netns: iptables-restore (atomic, reconciled with
// what is already there), the fwmark rule and the table-100 local route.
import { applyText, fwmarkRule, fwmarkRuleShow, inpodTables, localRoute, OUTPUT, parseSave, PRERT, removeText } from '../rules/index.ts';
import type { Family, PodOverrides, RedirectConfig } from '../rules/index.ts';
import { execInNetns } from './netns-exec.ts';

const OWNED = [PRERT, OUTPUT];

function tools(family: Family): { save: string; restore: string } {
  return family === 4 ? { save: 'iptables-save', restore: 'iptables-restore' } : { save: 'ip6tables-save', restore: 'ip6tables-restore' };
}

/** Families to configure: v4 always, v6 when the pod has a v6 address. */
export function familiesFor(ips: readonly string[]): Family[] {
  return ips.some((ip) => ip.includes(':')) ? [4, 6] : [4];
}

/** Writes our chains for `family` (rewriting any from an earlier run), then the rule and route. */
export async function applyRedirection(netnsPath: string, config: RedirectConfig, pod: PodOverrides, families: readonly Family[]): Promise<void> {
  for (const family of families) {
    const t = tools(family);
    const saved = parseSave(await execInNetns(netnsPath, t.save, []));
    const text = applyText(inpodTables(config, pod, family), saved, OWNED);
    await execInNetns(netnsPath, t.restore, ['--noflush'], text);
    const rules = await execInNetns(netnsPath, 'ip', fwmarkRuleShow(family));
    if (!rules.includes('fwmark')) await execInNetns(netnsPath, 'ip', fwmarkRule(family, 'add'));
    await execInNetns(netnsPath, 'ip', localRoute(family, 'replace'));
  }
}

/** Removes our chains, jumps, rule and route for both families (whatever is present). */
export async function removeRedirection(netnsPath: string): Promise<void> {
  for (const family of [4, 6] as const) {
    const t = tools(family);
    const text = removeText(parseSave(await execInNetns(netnsPath, t.save, [])), OWNED);
    if (text !== '') await execInNetns(netnsPath, t.restore, ['--noflush'], text);
    const rules = await execInNetns(netnsPath, 'ip', fwmarkRuleShow(family)).catch(() => '');
    if (rules.includes('fwmark')) await execInNetns(netnsPath, 'ip', fwmarkRule(family, 'del'));
    await execInNetns(netnsPath, 'ip', localRoute(family, 'del')).catch(() => undefined);
  }
}
