// CPU time and resident memory of a process from /proc, so the proxies' cost is measured on their own pids
// (the load generator and the app run in other processes and are never counted).
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

/** User + system CPU seconds the process (all its threads) has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) may hold spaces and parentheses: count fields after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / CLK_TCK;
}

/** Resident set size in MB (VmRSS). */
export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** VmRSS split into anonymous (heap, stacks, buffers) and file-backed (the node binary's pages, shared with
 * every process running it) parts, in MB, for the report next to VmRSS. */
export function rssParts(pid: number): { anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile') };
}

/** CPU use of a set of processes over an interval, in vCPU (CPU seconds per wall second). */
export class CpuMeter {
  private readonly pids: readonly number[];
  private readonly start: number[];
  private readonly t0: bigint;

  constructor(pids: readonly number[]) {
    this.pids = pids;
    this.start = pids.map(cpuSeconds);
    this.t0 = process.hrtime.bigint();
  }

  /** vCPU of each pid since construction. */
  read(): number[] {
    const secs = Number(process.hrtime.bigint() - this.t0) / 1e9;
    return this.pids.map((pid, i) => (cpuSeconds(pid) - (this.start[i] as number)) / secs);
  }
}
