// Removes everything a cluster created, from D/state.json and the netns prefix alone: works with or without
// a live daemon (after `kill -9` too).
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import type { Layout } from './layout.ts';
import { isAlive, readState } from './state.ts';
import type { ProcessRecord } from './state.ts';
import { tryRun } from './run.ts';

function kill(p: ProcessRecord, signal: NodeJS.Signals): void {
  if (!isAlive(p)) return;
  try {
    process.kill(p.pid, signal);
  } catch {
    // Gone between the check and the signal.
  }
}

/** Netns names of this cluster that exist now (`ip netns list`), pods first, control plane last. */
export function clusterNetns(prefix: string): string[] {
  let out = '';
  try {
    out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const names = out.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(`${prefix}-`));
  const rank = (n: string): number => (n.includes('-pod-') ? 0 : n.endsWith('-cp') ? 2 : 1);
  return names.sort((a, b) => rank(a) - rank(b));
}

/** Pids of the processes whose netns is `netns`. */
export function netnsPids(netns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killAllIn(netns: string): void {
  for (const pid of netnsPids(netns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stops the daemon (if alive), kills every process, deletes every netns and /etc/netns dir, removes D. */
export async function teardown(l: Layout, opts: { keepDataDir?: boolean } = {}): Promise<string[]> {
  const removed: string[] = [];
  const state = readState(l.statePath);
  if (state?.daemon && isAlive(state.daemon)) {
    kill(state.daemon, 'SIGTERM');
    for (let i = 0; i < 150 && isAlive(state.daemon); i++) await sleep(100);
    kill(state.daemon, 'SIGKILL');
    removed.push(`daemon pid ${state.daemon.pid}`);
  }
  const processes = state?.processes ?? [];
  for (const p of processes) kill(p, 'SIGKILL');
  const netns = new Set([...(state?.netns ?? []), ...clusterNetns(l.prefix)]);
  const ordered = [...netns].sort((a, b) => (a.includes('-pod-') ? 0 : a.endsWith('-cp') ? 2 : 1) - (b.includes('-pod-') ? 0 : b.endsWith('-cp') ? 2 : 1));
  for (const ns of ordered) {
    killAllIn(ns);
    if (tryRun('ip', ['netns', 'del', ns])) removed.push(`netns ${ns}`);
  }
  // SIGKILL is asynchronous: return once the processes are really gone.
  for (let i = 0; i < 50 && processes.some(isAlive); i++) await sleep(100);
  const etc = new Set([...(state?.etcNetns ?? []), ...ordered.map((n) => `/etc/netns/${n}`)]);
  for (const dir of etc) {
    if (!dir.startsWith('/etc/netns/') || !existsSync(dir)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  // Only a directory that holds a cluster's state file is removed (never an unrelated directory by mistake).
  if (!opts.keepDataDir && state !== undefined && existsSync(l.dataDir)) {
    rmSync(l.dataDir, { recursive: true, force: true });
    removed.push(l.dataDir);
  }
  return removed;
}
