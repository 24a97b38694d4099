// ip rule / ip route arguments for the in-pod return path (reference §3.1): replies of connections ztunnel
// opened with a spoofed source carry connmark 0x111 and are routed to the local stack through table 100. Pure.
import { REDIRECT } from './options.ts';
import type { Family } from './options.ts';

/** `ip -4|-6 rule add|del fwmark 0x111/0xfff pref 32764 lookup 100`, as arguments of `ip`. */
export function fwmarkRule(family: Family, verb: 'add' | 'del'): string[] {
  return [`-${family}`, 'rule', verb, 'fwmark', REDIRECT.connMark, 'pref', String(REDIRECT.rulePriority), 'lookup', String(REDIRECT.routeTable)];
}

/** `ip route` command for the local route in table 100 (`replace` is idempotent, `del` removes it). */
export function localRoute(family: Family, verb: 'replace' | 'del'): string[] {
  return [`-${family}`, 'route', verb, 'local', family === 4 ? '0.0.0.0/0' : '::/0', 'dev', 'lo', 'table', String(REDIRECT.routeTable)];
}

/** `ip rule show` arguments listing our rule, to tell whether it is present. */
export function fwmarkRuleShow(family: Family): string[] {
  return [`-${family}`, 'rule', 'show', 'pref', String(REDIRECT.rulePriority)];
}
