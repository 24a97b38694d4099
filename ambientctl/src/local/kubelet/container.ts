// One container as a local process inside the pod's netns (`ip netns exec`, which also bind-mounts the
// pod's /etc/netns/<name>/resolv.conf), restarted with backoff while the pod lives.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ContainerProcessOptions {
  readonly name: string;
  readonly netns: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly logPath: string;
  /** Restart after exit (restartPolicy Always / OnFailure with a non-zero code). */
  readonly restart: (code: number | null) => boolean;
  readonly onStart: (pid: number) => void;
  readonly onExit: (pid: number, code: number | null) => void;
}

const MAX_BACKOFF_MS = 30_000;

export class ContainerProcess {
  readonly #o: ContainerProcessOptions;
  #child: ChildProcess | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  restarts = 0;
  running = false;
  lastExit: number | null | undefined;

  constructor(o: ContainerProcessOptions) {
    this.#o = o;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    if (this.#stopped) return;
    const fd = openSync(this.#o.logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn('ip', ['netns', 'exec', this.#o.netns, this.#o.command, ...this.#o.args], {
        env: this.#o.env,
        cwd: this.#o.cwd,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    this.#child = child;
    child.on('error', () => undefined);
    if (child.pid !== undefined) {
      this.running = true;
      this.#o.onStart(child.pid);
    }
    const startedAt = Date.now();
    child.on('exit', (code) => {
      this.running = false;
      this.lastExit = code;
      if (child.pid !== undefined) this.#o.onExit(child.pid, code);
      if (this.#stopped || !this.#o.restart(code)) return;
      // A container that ran a while starts over at a short backoff.
      if (Date.now() - startedAt > 60_000) this.restarts = 0;
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.restarts, 6));
      this.restarts++;
      this.#timer = setTimeout(() => this.start(), delay);
    });
  }

  /** Kills the current process (liveness failure): the exit handler restarts it. */
  kill(): void {
    const pid = this.#child?.pid;
    if (pid !== undefined && this.running) signalGroup(pid, 'SIGKILL');
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const child = this.#child;
    if (!child || child.pid === undefined || !this.running) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    signalGroup(child.pid, 'SIGTERM');
    const killer = setTimeout(() => signalGroup(child.pid ?? 0, 'SIGKILL'), graceMs);
    await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs + 2000))]);
    clearTimeout(killer);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone.
    }
  }
}
