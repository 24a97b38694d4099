// Running system commands (ip, iptables-restore, sysctl) with clear errors.
import { execFile, execFileSync } from 'node:child_process';
import { MeshError } from '@mesh/common/errors';

export type LocalErrorCode =
  | 'ERR_LOCAL_COMMAND'
  | 'ERR_LOCAL_API'
  | 'ERR_LOCAL_CNI'
  | 'ERR_LOCAL_NOT_RUNNING'
  | 'ERR_LOCAL_ALREADY_RUNNING'
  | 'ERR_LOCAL_BAD_INPUT'
  | 'ERR_LOCAL_TIMEOUT';

/** Errors of `ambientctl local`. */
export class LocalError extends MeshError<LocalErrorCode> {}

/** Runs a command synchronously; throws a LocalError with its stderr on failure. */
export function run(cmd: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new LocalError('ERR_LOCAL_COMMAND', `${cmd} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
}

/** Same as run, ignoring failure (cleanup paths). */
export function tryRun(cmd: string, args: readonly string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Asynchronous run (the daemon must not block its event loop on slow commands). */
export function runAsync(cmd: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'utf8', env: opts.env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new LocalError('ERR_LOCAL_COMMAND', `${cmd} ${args.join(' ')}: ${stderr.trim() || stdout.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** `ip netns exec <ns> <cmd…>` as an argument list. */
export function inNetns(netns: string, cmd: string, ...args: string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', netns, cmd, ...args]];
}
