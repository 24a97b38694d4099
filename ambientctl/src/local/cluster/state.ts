// D/state.json: everything the cluster created outside the data dir, so `down` can remove it without a daemon.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A process, identified by pid and its start time (clock ticks since boot), so a reused pid is never killed. */
export interface ProcessRecord {
  readonly pid: number;
  readonly startTime: string;
  readonly what: string;
}

export interface ClusterState {
  prefix: string;
  nodes: number;
  mesh: boolean;
  daemon?: ProcessRecord;
  processes: ProcessRecord[];
  netns: string[];
  /** `/etc/netns/<name>` directories (resolv.conf for pods). */
  etcNetns: string[];
}

export function emptyState(prefix: string, nodes: number, mesh: boolean): ClusterState {
  return { prefix, nodes, mesh, processes: [], netns: [], etcNetns: [] };
}

export function readState(path: string): ClusterState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/** Writes atomically (temp file + rename), so a crash never leaves half a file. */
export function writeState(path: string, state: ClusterState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, path);
}

/** The start time field of /proc/<pid>/stat, or undefined when the process is gone (or a zombie). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
    return rest[19];
  } catch {
    return undefined;
  }
}

export function processRecord(pid: number, what: string): ProcessRecord {
  return { pid, startTime: processStartTime(pid) ?? '', what };
}

/** True when the recorded process still runs (same pid AND same start time). */
export function isAlive(p: ProcessRecord): boolean {
  const st = processStartTime(p.pid);
  return st !== undefined && st === p.startTime;
}

/** Mutable state owned by the daemon; every change is written through at once. */
export class StateFile {
  readonly #path: string;
  readonly state: ClusterState;

  constructor(path: string, state: ClusterState) {
    this.#path = path;
    this.state = state;
    this.save();
  }

  save(): void {
    writeState(this.#path, this.state);
  }

  addNetns(name: string): void {
    if (!this.state.netns.includes(name)) this.state.netns.push(name);
    this.save();
  }

  removeNetns(name: string): void {
    this.state.netns = this.state.netns.filter((n) => n !== name);
    this.save();
  }

  addEtcNetns(dir: string): void {
    if (!this.state.etcNetns.includes(dir)) this.state.etcNetns.push(dir);
    this.save();
  }

  removeEtcNetns(dir: string): void {
    this.state.etcNetns = this.state.etcNetns.filter((n) => n !== dir);
    this.save();
  }

  addProcess(pid: number, what: string): void {
    this.state.processes.push(processRecord(pid, what));
    this.save();
  }

  removeProcess(pid: number): void {
    this.state.processes = this.state.processes.filter((p) => p.pid !== pid);
    this.save();
  }
}
