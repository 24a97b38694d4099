// Host side of kubelet probes (reference §3.1): in the node's netns, ipsets of enrolled pod IPs and a nat
// POSTROUTING rule that SNATs locally originated TCP to them to 169.254.7.127, which the in-pod rules accept
// without capture.
import { execFile } from 'node:child_process';
import { applyText, hostProbeTables, parseSave, POSTRT, probeIpsetCreateArgs, probeIpsetName } from '../rules/index.ts';
import type { Family, RedirectConfig } from '../rules/index.ts';
import { execInNetns } from './netns-exec.ts';

function run(netnsPath: string | undefined, cmd: string, args: readonly string[], stdin?: string): Promise<string> {
  if (netnsPath !== undefined) return execInNetns(netnsPath, cmd, args, stdin);
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, [...args], { encoding: 'utf8', timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(stdin ?? '');
  });
}

function familyOf(ip: string): Family {
  return ip.includes(':') ? 6 : 4;
}

/** Host probe state in one netns (undefined = the agent's own netns, the node's). */
export class HostProbe {
  readonly #netns: string | undefined;
  readonly #config: RedirectConfig;

  constructor(config: RedirectConfig, netnsPath?: string) {
    this.#config = config;
    this.#netns = netnsPath;
  }

  /** Creates the ipsets and the SNAT rule for each family (idempotent; rewrites our chain). */
  async install(families: readonly Family[] = [4, 6]): Promise<void> {
    for (const family of families) {
      await run(this.#netns, 'ipset', probeIpsetCreateArgs(family));
      const [save, restore] = family === 4 ? ['iptables-save', 'iptables-restore'] : ['ip6tables-save', 'ip6tables-restore'];
      const saved = parseSave(await run(this.#netns, save, ['-t', 'nat']));
      await run(this.#netns, restore, ['--noflush'], applyText(hostProbeTables(this.#config, family), saved, [POSTRT]));
    }
  }

  /** Adds a pod's IPs (entry comment = pod UID). */
  async add(uid: string, ips: readonly string[]): Promise<void> {
    for (const ip of ips) await run(this.#netns, 'ipset', ['add', probeIpsetName(familyOf(ip)), ip, 'comment', uid, '-exist']);
  }

  /** Removes a pod's IPs. */
  async remove(ips: readonly string[]): Promise<void> {
    for (const ip of ips) await run(this.#netns, 'ipset', ['del', probeIpsetName(familyOf(ip)), ip, '-exist']);
  }
}
