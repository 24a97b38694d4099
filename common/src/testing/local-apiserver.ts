import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A local Kubernetes API server started as its own process through the `ambientctl` CLI, for tests. */
export interface LocalApiServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** Admin kubeconfig (bearer token, the server's CA); load it with client-node's `KubeConfig.loadFromFile`. */
  readonly kubeconfigPath: string;
  readonly dataDir: string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and removes the data dir. */
  close(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../../../ambientctl/bin/ambientctl.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

/**
 * Starts `ambientctl local apiserver --port 0` in a fresh temp data dir and resolves once it serves.
 * Extra CLI flags (e.g. `['--san', '10.200.0.1']`) go in `args`.
 */
export function startLocalApiServer(args: string[] = []): Promise<LocalApiServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mesh-apiserver-'));
  const child = spawn(process.execPath, [CLI, 'local', 'apiserver', '--port', '0', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise<LocalApiServer>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      reject(new Error(`local apiserver did not start: ${why}\n${output}`));
    };
    const timer = setTimeout(() => fail(`no "serving on" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const early = (code: number | null, signal: string | null): void => fail(`exited early (code ${code}, signal ${signal})`);
    child.once('exit', early);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
      const url = /serving on (https:\/\/\S+)/.exec(output)?.[1];
      if (!url || !/kubeconfig: \S+/.test(output)) return;
      clearTimeout(timer);
      child.off('exit', early);
      resolve({ url, kubeconfigPath: join(dataDir, 'kubeconfig'), dataDir, close: () => stop(child, dataDir) });
    });
  });
}

async function stop(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
