import { run } from './local-cluster.ts';

/**
 * Packet counters on the link between nodes: iptables rules (accounting only, no verdict) in the control-plane
 * netns, which routes every node-to-node packet. One counts packets carrying a payload marker (a plaintext leak
 * shows up here), one counts packets to or from port 15008 (HBONE).
 */
export class LinkCounters {
  readonly #netns: string;
  readonly #chain: string;
  readonly marker: string;

  constructor(netns: string, marker: string) {
    this.#netns = netns;
    this.marker = marker;
    this.#chain = `E2E-${marker.slice(-8).toUpperCase()}`;
  }

  async install(): Promise<void> {
    await this.#ipt(['-N', this.#chain]);
    await this.#ipt(['-A', this.#chain, '-m', 'string', '--string', this.marker, '--algo', 'bm', '-m', 'comment', '--comment', 'marker']);
    await this.#ipt(['-A', this.#chain, '-p', 'tcp', '--dport', '15008', '-m', 'comment', '--comment', 'hbone']);
    await this.#ipt(['-I', 'FORWARD', '-j', this.#chain]);
  }

  async read(): Promise<{ marker: number; hbone: number }> {
    const r = await run('ip', ['netns', 'exec', this.#netns, 'iptables', '-L', this.#chain, '-v', '-n', '-x'], { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`reading counters: ${r.stderr}`);
    const count = (comment: string): number => {
      const line = r.stdout.split('\n').find((l) => l.includes(`/* ${comment} */`));
      return Number(line?.trim().split(/\s+/)[0] ?? NaN);
    };
    return { marker: count('marker'), hbone: count('hbone') };
  }

  async zero(): Promise<void> {
    await this.#ipt(['-Z', this.#chain]);
  }

  async remove(): Promise<void> {
    await run('ip', ['netns', 'exec', this.#netns, 'iptables', '-D', 'FORWARD', '-j', this.#chain], { timeoutMs: 10_000 });
    await run('ip', ['netns', 'exec', this.#netns, 'iptables', '-F', this.#chain], { timeoutMs: 10_000 });
    await run('ip', ['netns', 'exec', this.#netns, 'iptables', '-X', this.#chain], { timeoutMs: 10_000 });
  }

  async #ipt(args: string[]): Promise<void> {
    const r = await run('ip', ['netns', 'exec', this.#netns, 'iptables', ...args], { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`iptables ${args.join(' ')} in ${this.#netns}: ${r.stderr}`);
  }
}
