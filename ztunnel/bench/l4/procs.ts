// Child processes of the benchmark: started with a bounded wait for readiness, always stopped at the end.
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import net from 'node:net';

/** A running child with its pid and a stop() that waits for its exit (SIGTERM, then SIGKILL). */
export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  /** Everything it wrote to stderr (capped), for error messages. */
  stderr(): string;
  stop(): Promise<void>;
}

/** A running proxy pair under test: the generator dials its client side; children = the two proxies. */
export interface ProxyPair {
  label: string;
  /** Dials the app through the pair. */
  dial: () => Promise<net.Socket>;
  children: Child[];
  stop(): Promise<void>;
}

const children = new Set<Child>();

export function startChild(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): Child {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  // Always drained, so a chatty child (access logs) never blocks on a full pipe.
  proc.stdout?.on('data', () => {});
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => {
    if (err.length < 20_000) err += String(c);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const child: Child = {
    name,
    pid: proc.pid,
    proc,
    stderr: () => err,
    stop: async () => {
      children.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
  children.add(child);
  return child;
}

const extraCleanups = new Set<() => Promise<void>>();

/** Registers a teardown (netns, servers) that stopAll runs too; returns the unregister function. */
export function registerCleanup(fn: () => Promise<void>): () => void {
  extraCleanups.add(fn);
  return () => extraCleanups.delete(fn);
}

/**
 * A teardown stack for one proxy pair: `push` what to undo as it is set up; `stop` undoes it in reverse order
 * (continuing past failures) and is also run by stopAll (signals, watchdog).
 */
export function cleanupStack(): { push(fn: () => unknown): void; stop(): Promise<void> } {
  const fns: (() => unknown)[] = [];
  const stop = async (): Promise<void> => {
    unregister();
    for (const fn of fns.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // Keep cleaning.
      }
    }
  };
  const unregister = registerCleanup(stop);
  return { push: (fn) => void fns.push(fn), stop };
}

/** Stops every child still running and runs every registered teardown (finally blocks, signal handlers). */
export async function stopAll(): Promise<void> {
  const fns = [...extraCleanups];
  extraCleanups.clear();
  await Promise.all(fns.map((fn) => fn().catch(() => {})));
  await Promise.all([...children].map((c) => c.stop()));
}

/** The first line the child prints on stdout, parsed as JSON (bounded wait). */
export function firstJsonLine<T>(child: Child, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${child.name}: no startup line within ${timeoutMs} ms\n${child.stderr()}`)), timeoutMs);
    child.proc.stdout?.on('data', (c: Buffer) => {
      buf += String(c);
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as T);
      } catch (err) {
        reject(err as Error);
      }
    });
    child.proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${child.name} exited (${code}) before it was ready\n${child.stderr()}`));
    });
  });
}

/** A dial function for a loopback port. */
export function loopbackDial(port: number): () => Promise<net.Socket> {
  return () =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
}

/** A free loopback TCP port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
