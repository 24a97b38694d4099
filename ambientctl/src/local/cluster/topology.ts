// The cluster's network: a control-plane netns with bridge br0 (10.200.0.1/24), one netns per node linked to
// br0 by a veth, routes between the nodes' pod CIDRs, and forwarding. Nothing is done in the root netns.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Layout, NodeLayout } from './layout.ts';
import { CONTROL_PLANE_IP, UNDERLAY_PREFIX_LEN } from './layout.ts';
import { run } from './run.ts';
import type { StateFile } from './state.ts';

const ip = (...args: string[]): string => run('ip', args);
const inNs = (ns: string, cmd: string, ...args: string[]): string => run('ip', ['netns', 'exec', ns, cmd, ...args]);

function sysctls(ns: string): void {
  inNs(ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
  inNs(ns, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=0');
  inNs(ns, 'sysctl', '-q', '-w', 'net.ipv4.conf.default.rp_filter=0');
}

function addNetns(name: string, state: StateFile): void {
  // Record first: a crash right after `ip netns add` must still be cleaned up.
  state.addNetns(name);
  ip('netns', 'add', name);
  ip('-n', name, 'link', 'set', 'lo', 'up');
}

/** Creates the control-plane netns and its bridge. */
export function createControlPlane(l: Layout, state: StateFile): void {
  addNetns(l.cpNetns, state);
  ip('-n', l.cpNetns, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', l.cpNetns, 'addr', 'add', `${CONTROL_PLANE_IP}/${UNDERLAY_PREFIX_LEN}`, 'dev', 'br0');
  ip('-n', l.cpNetns, 'link', 'set', 'br0', 'up');
  sysctls(l.cpNetns);
}

/** Creates one node netns, links it to br0 and routes its pod CIDR from the control plane. */
export function createNode(l: Layout, node: NodeLayout, state: StateFile): void {
  addNetns(node.netns, state);
  ip('-n', l.cpNetns, 'link', 'add', node.cpVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns);
  ip('-n', l.cpNetns, 'link', 'set', node.cpVeth, 'master', 'br0');
  ip('-n', l.cpNetns, 'link', 'set', node.cpVeth, 'up');
  ip('-n', node.netns, 'addr', 'add', `${node.ip}/${UNDERLAY_PREFIX_LEN}`, 'dev', 'eth0');
  ip('-n', node.netns, 'link', 'set', 'eth0', 'up');
  ip('-n', node.netns, 'route', 'add', 'default', 'via', CONTROL_PLANE_IP);
  ip('-n', l.cpNetns, 'route', 'add', node.podCidr, 'via', node.ip);
  sysctls(node.netns);
}

/** Direct routes between nodes (same L2 segment), so pod traffic does not detour through the control plane. */
export function linkNodes(nodes: readonly NodeLayout[]): void {
  for (const a of nodes) {
    for (const b of nodes) {
      if (a !== b) ip('-n', a.netns, 'route', 'add', b.podCidr, 'via', b.ip);
    }
  }
}

/** The node's first CNI conflist: bridge cni0 (gateway, no masquerade) + host-local over the pod CIDR. */
export function writeNodeCniConfig(node: NodeLayout): string {
  mkdirSync(node.cniNetDir, { recursive: true });
  mkdirSync(node.cniBinDir, { recursive: true });
  mkdirSync(node.cniIpamDir, { recursive: true });
  const conflist = {
    cniVersion: '0.3.1',
    name: 'ambient-local',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: node.cniIpamDir,
          ranges: [[{ subnet: node.podCidr, gateway: node.podGateway }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
    ],
  };
  const path = join(node.cniNetDir, '10-ambient-local.conflist');
  writeFileSync(path, `${JSON.stringify(conflist, null, 2)}\n`);
  return path;
}

/** Our kube-proxy chains in the node's nat table, jumped to from PREROUTING, OUTPUT and POSTROUTING. */
export function installServiceChains(node: NodeLayout, servicesChain: string, postroutingChain: string): void {
  const rules = [
    '*nat',
    `:${servicesChain} - [0:0]`,
    `:${postroutingChain} - [0:0]`,
    `-A PREROUTING -j ${servicesChain}`,
    `-A OUTPUT -j ${servicesChain}`,
    `-A POSTROUTING -j ${postroutingChain}`,
    'COMMIT',
    '',
  ].join('\n');
  run('ip', ['netns', 'exec', node.netns, 'iptables-restore', '--noflush'], rules);
}
