// Test support (not exported from index.ts): a netns that looks like an enrolled ambient pod — an `eth0`
// with the pod IP and a default route, plus the in-pod redirection of the reference §3.1 (mangle CONNMARK
// rules, nat REDIRECT rules, and the fwmark 0x111 → table 100 → local return route). Needs root, iproute2
// and iptables. Nothing is created outside the new netns.
import { execFileSync } from 'node:child_process';
import { createTestNetns } from './netns-fixture.ts';
import type { TestNetns } from './netns-fixture.ts';

/** Options of createPodNetns. */
export interface PodNetnsOptions {
  /** The pod's IPv4 address on eth0 (a /24; the gateway is .1 of it). Default 10.244.1.5. */
  podIp?: string;
  /** Also give eth0 this IPv6 address (a /64, gateway ::1 of it) and install the IPv6 rules. */
  podIp6?: string;
  /** Install the iptables rules of §3.1 (default true). */
  inpodRules?: boolean;
  /** Install the fwmark 0x111 → table 100 return route (default true; false reproduces a broken setup). */
  returnRoute?: boolean;
}

/** A pod-like netns. */
export interface PodNetns extends TestNetns {
  podIp: string;
  podIp6?: string;
}

/** The mesh marks of §3.1. */
export const INPOD_MARK = 0x539;
export const INPOD_TPROXY_MARK = 0x111;
export const INPOD_ROUTE_TABLE = 100;

/** iptables-restore input for the in-pod rules of §3.1 (IPv4 and IPv6 differ only in the loopback address). */
export function inpodRulesText(loopback: '127.0.0.1/32' | '::1/128'): string {
  const mark = `0x${INPOD_MARK.toString(16)}/0xfff`;
  const tproxy = `0x${INPOD_TPROXY_MARK.toString(16)}/0xfff`;
  return [
    '*mangle',
    ':ISTIO_PRERT - [0:0]',
    ':ISTIO_OUTPUT - [0:0]',
    '-A PREROUTING -j ISTIO_PRERT',
    '-A OUTPUT -j ISTIO_OUTPUT',
    `-A ISTIO_PRERT -m mark --mark ${mark} -j CONNMARK --set-xmark ${tproxy}`,
    `-A ISTIO_OUTPUT -m connmark --mark ${tproxy} -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff`,
    'COMMIT',
    '*nat',
    ':ISTIO_PRERT - [0:0]',
    ':ISTIO_OUTPUT - [0:0]',
    '-A PREROUTING -j ISTIO_PRERT',
    '-A OUTPUT -j ISTIO_OUTPUT',
    `-A ISTIO_PRERT ! -d ${loopback} -p tcp ! --dport 15008 -m mark ! --mark ${mark} -j REDIRECT --to-ports 15006`,
    `-A ISTIO_OUTPUT -p tcp -m mark --mark ${tproxy} -j ACCEPT`,
    `-A ISTIO_OUTPUT ! -d ${loopback} -o lo -j ACCEPT`,
    `-A ISTIO_OUTPUT ! -d ${loopback} -p tcp -m mark ! --mark ${mark} -j REDIRECT --to-ports 15001`,
    'COMMIT',
    '',
  ].join('\n');
}

function gatewayOf(ip: string): string {
  if (ip.includes(':')) return `${ip.slice(0, ip.lastIndexOf(':'))}:1`;
  return `${ip.split('.').slice(0, 3).join('.')}.1`;
}

/** Creates `<prefix>-<pid>-<random>` set up like an enrolled pod; delete() it in `after`. */
export function createPodNetns(prefix: string, opts: PodNetnsOptions = {}): PodNetns {
  const podIp = opts.podIp ?? '10.244.1.5';
  const ns = createTestNetns(prefix);
  const run = (cmd: string, args: string[], input?: string): void => {
    execFileSync('ip', ['netns', 'exec', ns.name, cmd, ...args], { input, stdio: ['pipe', 'ignore', 'pipe'] });
  };
  try {
    // eth0 is one end of a veth pair whose other end stays in the same netns (this kernel has no dummy
    // driver): the pod's address and default route exist, and nothing leaves the netns. The default
    // route matters: the app's SYN-ACK to a spoofed client IP is first routed by the main table (no route =
    // the SYN is dropped before any rule sees the reply), and only then rerouted to lo by the restored mark.
    run('ip', ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0peer']);
    run('ip', ['link', 'set', 'eth0peer', 'up']);
    run('ip', ['addr', 'add', `${podIp}/24`, 'dev', 'eth0']);
    if (opts.podIp6 !== undefined) run('ip', ['-6', 'addr', 'add', `${opts.podIp6}/64`, 'dev', 'eth0', 'nodad']);
    run('ip', ['link', 'set', 'eth0', 'up']);
    run('ip', ['route', 'add', 'default', 'via', gatewayOf(podIp), 'dev', 'eth0', 'onlink']);
    if (opts.podIp6 !== undefined) {
      run('ip', ['-6', 'route', 'add', 'default', 'via', gatewayOf(opts.podIp6), 'dev', 'eth0', 'onlink']);
    }
    if (opts.inpodRules ?? true) {
      run('iptables-restore', ['--noflush'], inpodRulesText('127.0.0.1/32'));
      if (opts.podIp6 !== undefined) run('ip6tables-restore', ['--noflush'], inpodRulesText('::1/128'));
    }
    if (opts.returnRoute ?? true) {
      const fwmark = `0x${INPOD_TPROXY_MARK.toString(16)}/0xfff`;
      const families: Array<[string, string]> = [['-4', '0.0.0.0/0']];
      if (opts.podIp6 !== undefined) families.push(['-6', '::/0']);
      for (const [family, any] of families) {
        run('ip', [family, 'rule', 'add', 'fwmark', fwmark, 'pref', '32764', 'lookup', String(INPOD_ROUTE_TABLE)]);
        run('ip', [family, 'route', 'add', 'local', any, 'dev', 'lo', 'table', String(INPOD_ROUTE_TABLE)]);
      }
    }
  } catch (err) {
    ns.delete();
    throw err;
  }
  return { ...ns, podIp, podIp6: opts.podIp6 };
}
