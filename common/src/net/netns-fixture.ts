// Test support (not exported from index.ts): throwaway network namespaces. Needs root and iproute2.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** A named netns created for one test file; delete() it in `after`. */
export interface TestNetns {
  name: string;
  /** The bind-mounted netns file, for openNetns. */
  path: string;
  /** Runs a command inside the netns (ip netns exec) and returns its stdout. */
  exec(cmd: string, ...args: string[]): string;
  /** Same without blocking the event loop (needed when the command talks to this process). */
  execAsync(cmd: string, ...args: string[]): Promise<string>;
  /** Deletes the netns; safe to call twice. */
  delete(): void;
}

/** Creates `<prefix>-<pid>-<random>` with loopback up. */
export function createTestNetns(prefix: string): TestNetns {
  const name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  let deleted = false;
  const ns: TestNetns = {
    name,
    path: `/run/netns/${name}`,
    exec: (cmd, ...args) => execFileSync('ip', ['netns', 'exec', name, cmd, ...args], { encoding: 'utf8' }),
    execAsync: (cmd, ...args) =>
      new Promise((resolve, reject) => {
        execFile('ip', ['netns', 'exec', name, cmd, ...args], { encoding: 'utf8', timeout: 10_000 }, (err, stdout) =>
          err ? reject(err) : resolve(stdout),
        );
      }),
    delete: () => {
      if (deleted) return;
      deleted = true;
      execFileSync('ip', ['netns', 'del', name]);
    },
  };
  try {
    ns.exec('ip', 'link', 'set', 'lo', 'up');
  } catch (err) {
    ns.delete();
    throw err;
  }
  return ns;
}

/** Rejects if `p` does not settle within `ms`: keeps a broken test from hanging. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
