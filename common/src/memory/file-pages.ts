// Which of a process's resident pages can be handed back to the kernel without changing anything the process
// sees: pages of read-only private file mappings (the node binary's code and data, shared libraries) that were
// never copied on write. Dropping them only unmaps them from this process; the kernel keeps them in the page
// cache (other processes share them) and maps them back on the next access with a minor fault.
// Pure functions over the text of /proc/<pid>/smaps.

/** One mapping of /proc/<pid>/smaps, with the fields the choice needs. */
export interface Mapping {
  readonly start: bigint;
  readonly end: bigint;
  readonly perms: string;
  readonly path: string;
  /** Resident kB. */
  readonly rssKb: number;
  /** kB of anonymous pages in it: for a file mapping, pages copied on write (relocations, ...). */
  readonly anonymousKb: number;
  readonly vmFlags: readonly string[];
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+\S+\s+\S+\s+\d+\s*(.*)$/;

/** Parses smaps text; throws on a header line it cannot read (the format is the kernel's, so that is a bug). */
export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let cur: { start: bigint; end: bigint; perms: string; path: string; rssKb: number; anonymousKb: number; vmFlags: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const isField = colon > 0 && /^[A-Z][A-Za-z_]*$/.test(line.slice(0, colon));
    if (!isField) {
      const m = HEADER.exec(line);
      if (!m) throw new Error(`smaps: unreadable mapping line: ${line.slice(0, 80)}`);
      if (cur) out.push(cur);
      cur = { start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), perms: m[3] as string, path: (m[4] as string).trim(), rssKb: 0, anonymousKb: 0, vmFlags: [] };
      continue;
    }
    if (!cur) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'Rss') cur.rssKb = Number.parseInt(value, 10);
    else if (key === 'Anonymous') cur.anonymousKb = Number.parseInt(value, 10);
    else if (key === 'VmFlags') cur.vmFlags = value.split(/\s+/).filter(Boolean);
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * The mappings whose resident pages can be dropped: backed by a file that still exists, readable, not writable,
 * private, with no anonymous (copied-on-write) page, not locked, and resident at all. Anything written to
 * (relocated data, the heap, stacks) is never chosen, since dropping it would lose the writes.
 */
export function droppableMappings(mappings: readonly Mapping[]): Mapping[] {
  return mappings.filter(
    (m) =>
      m.path.startsWith('/') &&
      !m.path.endsWith(' (deleted)') &&
      m.perms[0] === 'r' &&
      m.perms[1] === '-' &&
      m.perms[3] === 'p' &&
      m.anonymousKb === 0 &&
      m.rssKb > 0 &&
      !m.vmFlags.includes('lo'),
  );
}
