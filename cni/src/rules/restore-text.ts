// iptables-restore input from the rule model (pure): the golden form istio-cni logs, and the form the node
// agent applies with `iptables-restore --noflush`, which reconciles with what `iptables-save` shows so a
// restarted agent rewrites its chains instead of duplicating them.
import { jumpLine, savedJumpLine } from './tables.ts';
import type { TableRules } from './tables.ts';

/** istio-cni's text: `* table`, `-N` per chain, jumps, rules, `COMMIT`. */
export function formatTables(tables: readonly TableRules[]): string[] {
  const out: string[] = [];
  for (const t of tables) {
    out.push(`* ${t.table}`);
    for (const c of t.chains) out.push(`-N ${c}`);
    for (const j of t.jumps) out.push(jumpLine(j));
    out.push(...t.rules, 'COMMIT');
  }
  return out;
}

/** What `iptables-save` shows for one table: its chains and its `-A` lines. */
export interface SavedTable {
  readonly chains: Set<string>;
  readonly lines: string[];
}

/** Parses `iptables-save` output into tables. */
export function parseSave(text: string): Map<string, SavedTable> {
  const tables = new Map<string, SavedTable>();
  let current: SavedTable | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      current = { chains: new Set(), lines: [] };
      tables.set(line.slice(1).trim(), current);
    } else if (line.startsWith(':') && current) {
      current.chains.add(line.slice(1).split(' ')[0] ?? '');
    } else if (line.startsWith('-A ') && current) {
      current.lines.push(line);
    }
  }
  return tables;
}

/** True when the saved state holds any chain named in `chains` (e.g. ISTIO_PRERT from an earlier run). */
export function hasOwnedChains(saved: Map<string, SavedTable>, chains: readonly string[]): boolean {
  for (const t of saved.values()) for (const c of chains) if (t.chains.has(c)) return true;
  return false;
}

/**
 * `iptables-restore --noflush` input that makes our chains hold exactly `tables`: chains are declared
 * (created, or flushed when they exist), jumps added only when missing, and our chains in tables no longer
 * wanted are unhooked and deleted. One invocation, so the change is atomic per restore.
 */
export function applyText(tables: readonly TableRules[], saved: Map<string, SavedTable>, owned: readonly string[]): string {
  const out: string[] = [];
  const wanted = new Set(tables.map((t) => t.table));
  for (const t of tables) {
    const present = saved.get(t.table);
    out.push(`*${t.table}`);
    for (const c of t.chains) out.push(`:${c} - [0:0]`);
    for (const j of t.jumps) {
      const count = present?.lines.filter((l) => l === savedJumpLine(j)).length ?? 0;
      if (count === 0) out.push(jumpLine(j));
      for (let i = 1; i < count; i++) out.push(`-D ${j.from} -j ${j.to}`);
    }
    out.push(...t.rules, 'COMMIT');
  }
  for (const [name, present] of saved) {
    if (wanted.has(name as TableRules['table'])) continue;
    const lines = removeLines(present, owned);
    if (lines.length > 0) out.push(`*${name}`, ...lines, 'COMMIT');
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** `iptables-restore --noflush` input removing every chain in `owned` and every jump into them. */
export function removeText(saved: Map<string, SavedTable>, owned: readonly string[]): string {
  const out: string[] = [];
  for (const [name, present] of saved) {
    const lines = removeLines(present, owned);
    if (lines.length > 0) out.push(`*${name}`, ...lines, 'COMMIT');
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function removeLines(present: SavedTable, owned: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of present.lines) {
    const parts = line.split(' ');
    const chain = parts[1] ?? '';
    const target = parts.indexOf('-j') >= 0 ? parts[parts.indexOf('-j') + 1] : undefined;
    if (!owned.includes(chain) && target !== undefined && owned.includes(target)) out.push(`-D ${line.slice(3)}`);
  }
  for (const c of owned) if (present.chains.has(c)) out.push(`-F ${c}`);
  for (const c of owned) if (present.chains.has(c)) out.push(`-X ${c}`);
  return out;
}
