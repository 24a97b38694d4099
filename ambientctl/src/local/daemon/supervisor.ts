// Supervises the cluster's processes (DNS, istiod, ztunnels, node agents): each runs through
// `ip netns exec <netns> …`, logs to D/logs/<name>.log, and is restarted with backoff when it exits.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@mesh/common/log';
import type { StateFile } from '../cluster/state.ts';

/** How to run and check one component. */
export interface ComponentSpec {
  /** `istiod`, `ztunnel/node-1`, `cni/node-1`, `dns`. */
  readonly name: string;
  readonly netns: string;
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  /** Readiness endpoint: checked from `netns` (HTTP GET, 200 = healthy). */
  readonly health?: { readonly host: string; readonly port: number; readonly path: string };
  /** Addresses shown by `status` (admin, metrics, xds …). */
  readonly addresses: Record<string, string>;
  /** Runs before every start (e.g. refresh a token file); a failure delays the start. */
  readonly prepare?: () => Promise<void>;
}

export interface ComponentStatus {
  readonly name: string;
  readonly netns: string;
  readonly pid?: number;
  readonly running: boolean;
  readonly restarts: number;
  readonly addresses: Record<string, string>;
  readonly health?: ComponentSpec['health'];
}

const MAX_BACKOFF_MS = 15_000;

export function logFileName(component: string): string {
  return `${component.replace(/\//g, '_')}.log`;
}

class Supervised {
  readonly spec: ComponentSpec;
  readonly #logsDir: string;
  readonly #state: StateFile;
  readonly #log: Logger;
  #child: ChildProcess | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  /** Set while a requested restart stops the process, so its exit is not reported as a crash. */
  #restarting = false;
  restarts = 0;

  constructor(spec: ComponentSpec, logsDir: string, state: StateFile, log: Logger) {
    this.spec = spec;
    this.#logsDir = logsDir;
    this.#state = state;
    this.#log = log;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.spec.prepare?.();
    } catch (err) {
      this.#log.warn({ component: this.spec.name, err: (err as Error).message }, 'component not ready to start, retrying');
      this.#retry();
      return;
    }
    if (this.#stopped) return;
    mkdirSync(this.#logsDir, { recursive: true });
    const fd = openSync(join(this.#logsDir, logFileName(this.spec.name)), 'a');
    let child: ChildProcess;
    try {
      child = spawn('ip', ['netns', 'exec', this.spec.netns, ...this.spec.argv], { env: this.spec.env, stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    this.#child = child;
    child.on('error', (err) => this.#log.error({ component: this.spec.name, err: err.message }, 'spawn failed'));
    const pid = child.pid;
    if (pid !== undefined) this.#state.addProcess(pid, this.spec.name);
    const startedAt = Date.now();
    this.#log.info({ component: this.spec.name, pid }, 'component started');
    child.once('exit', (code, signal) => {
      if (pid !== undefined) this.#state.removeProcess(pid);
      if (this.#stopped) return;
      if (this.#restarting) this.#log.info({ component: this.spec.name, code, signal }, 'component stopped for a requested restart');
      else this.#log.warn({ component: this.spec.name, code, signal }, 'component exited; restarting');
      if (Date.now() - startedAt > 30_000) this.#failures = 0;
      this.restarts++;
      this.#retry();
    });
  }

  #retry(): void {
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.#failures++, 6));
    this.#timer = setTimeout(() => void this.start(), delay);
  }

  /** SIGTERM (graceful drain), SIGKILL after `graceMs`. */
  async stop(graceMs: number, final = true): Promise<void> {
    if (final) this.#stopped = true;
    clearTimeout(this.#timer);
    const child = this.#child;
    if (!child || !this.running || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    signal(child.pid, 'SIGTERM');
    const killer = setTimeout(() => signal(child.pid ?? 0, 'SIGKILL'), graceMs);
    await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs + 2000))]);
    clearTimeout(killer);
  }

  /** Stop then start at once (for `ambientctl local restart`), counting as a restart. */
  async restart(): Promise<void> {
    this.#restarting = true;
    try {
      await this.stop(10_000, false);
    } finally {
      this.#restarting = false;
    }
    // The exit handler schedules a start with backoff; start now instead.
    clearTimeout(this.#timer);
    this.#failures = 0;
    if (this.running) return;
    await this.start();
  }

  /** Starts a component that `stop` took down (for `ambientctl local start`); a running one is left alone. */
  async resume(): Promise<void> {
    if (this.running) return;
    this.#stopped = false;
    this.#failures = 0;
    clearTimeout(this.#timer);
    await this.start();
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // Gone.
    }
  }
}

export class Supervisor {
  readonly #items = new Map<string, Supervised>();
  readonly #logsDir: string;
  readonly #state: StateFile;
  readonly #log: Logger;

  constructor(logsDir: string, state: StateFile, log: Logger) {
    this.#logsDir = logsDir;
    this.#state = state;
    this.#log = log;
  }

  async add(spec: ComponentSpec): Promise<void> {
    const s = new Supervised(spec, this.#logsDir, this.#state, this.#log);
    this.#items.set(spec.name, s);
    await s.start();
  }

  has(name: string): boolean {
    return this.#items.has(name);
  }

  names(): string[] {
    return [...this.#items.keys()];
  }

  async restart(name: string): Promise<void> {
    await this.#get(name).restart();
  }

  /** Stops a component until `start` (not restarted on exit meanwhile): for testing a control-plane outage. */
  async stop(name: string): Promise<void> {
    await this.#get(name).stop(10_000);
  }

  async start(name: string): Promise<void> {
    await this.#get(name).resume();
  }

  #get(name: string): Supervised {
    const s = this.#items.get(name);
    if (!s) throw new Error(`no component "${name}"; components: ${this.names().join(', ')}`);
    return s;
  }

  status(): ComponentStatus[] {
    return [...this.#items.values()].map((s) => ({
      name: s.spec.name,
      netns: s.spec.netns,
      pid: s.pid,
      running: s.running,
      restarts: s.restarts,
      addresses: s.spec.addresses,
      ...(s.spec.health ? { health: s.spec.health } : {}),
    }));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#items.values()].map((s) => s.stop(10_000)));
  }
}
