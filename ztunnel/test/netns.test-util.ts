// Test network: a bridge netns and pod netns wired to it by veth pairs, each pod with an IP on eth0, a
// default route and (for enrolled pods) the in-pod redirection rules of the reference §3.1. Unique names;
// destroy() removes every netns (the veths go with them).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { inpodRulesText } from '@mesh/common/testing';

export interface TestPod {
  readonly name: string;
  readonly path: string;
  readonly ip: string;
  exec(cmd: string, ...args: string[]): string;
}

export class TestNetwork {
  readonly prefix: string;
  readonly #names: string[] = [];
  readonly #bridge: string;
  #n = 0;

  constructor(prefix: string) {
    this.prefix = `${prefix}-${randomBytes(3).toString('hex')}`;
    this.#bridge = this.#addNs('br');
    this.#in(this.#bridge, 'ip', 'link', 'add', 'br0', 'type', 'bridge');
    this.#in(this.#bridge, 'ip', 'link', 'set', 'br0', 'up');
  }

  /** A pod on the bridge with `ip`/24 on eth0; `enrolled` installs the in-pod rules and return route. */
  addPod(short: string, ip: string, enrolled: boolean): TestPod {
    const ns = this.#addNs(short);
    const peer = `v${this.#n++}`;
    execFileSync('ip', ['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', peer, 'netns', this.#bridge]);
    this.#in(this.#bridge, 'ip', 'link', 'set', peer, 'master', 'br0');
    this.#in(this.#bridge, 'ip', 'link', 'set', peer, 'up');
    this.#in(ns, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
    this.#in(ns, 'ip', 'link', 'set', 'eth0', 'up');
    const gw = `${ip.split('.').slice(0, 3).join('.')}.1`;
    this.#in(ns, 'ip', 'route', 'add', 'default', 'via', gw, 'dev', 'eth0', 'onlink');
    if (enrolled) {
      execFileSync('ip', ['netns', 'exec', ns, 'iptables-restore', '--noflush'], { input: inpodRulesText('127.0.0.1/32'), stdio: ['pipe', 'ignore', 'pipe'] });
      this.#in(ns, 'ip', 'rule', 'add', 'fwmark', '0x111/0xfff', 'pref', '32764', 'lookup', '100');
      this.#in(ns, 'ip', 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '100');
    }
    return { name: ns, path: `/run/netns/${ns}`, ip, exec: (cmd, ...args) => this.#in(ns, cmd, ...args) };
  }

  /** Deletes every netns; safe to call twice. */
  destroy(): void {
    for (const name of this.#names.splice(0).reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
  }

  #addNs(short: string): string {
    const name = `${this.prefix}-${short}`;
    execFileSync('ip', ['netns', 'add', name]);
    this.#names.push(name);
    this.#in(name, 'ip', 'link', 'set', 'lo', 'up');
    return name;
  }

  #in(ns: string, cmd: string, ...args: string[]): string {
    return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8' });
  }
}
