// The rule model shared by the in-pod and host generators: per table, the chains we own, the jumps into them
// from the built-in chains, and our rules. Formatting into iptables-restore text lives in restore-text.ts.

/** Tables we write to. */
export type TableName = 'mangle' | 'nat' | 'raw';

/** A jump from a built-in chain into one of ours. */
export interface Jump {
  readonly from: string;
  readonly to: string;
  /** `-I <from> 1` instead of `-A <from>`. */
  readonly insert?: boolean;
}

/** One table's share of a rule set. */
export interface TableRules {
  readonly table: TableName;
  /** Our chains, in creation order. */
  readonly chains: readonly string[];
  readonly jumps: readonly Jump[];
  /** Full `-A CHAIN …` lines. */
  readonly rules: readonly string[];
}

/** Chains in the order istio-cni creates them: first those the rules use (in order of use), then the rest. */
export function chainOrder(rules: readonly string[], owned: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    const chain = r.split(' ')[1];
    if (chain !== undefined && owned.includes(chain) && !out.includes(chain)) out.push(chain);
  }
  for (const c of owned) if (!out.includes(c)) out.push(c);
  return out;
}

/** The `-A`/`-I` line of a jump. */
export function jumpLine(j: Jump): string {
  return j.insert ? `-I ${j.from} 1 -j ${j.to}` : `-A ${j.from} -j ${j.to}`;
}

/** The line `iptables-save` prints for a jump (always `-A`). */
export function savedJumpLine(j: Jump): string {
  return `-A ${j.from} -j ${j.to}`;
}
