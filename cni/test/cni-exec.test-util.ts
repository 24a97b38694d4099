// Runs a CNI conflist the way a container runtime does (CNI spec: each plugin gets its config with name,
// cniVersion and prevResult on stdin and CNI_* in env), inside a given netns (the "node").
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Executes one plugin binary inside `nodeNetns` (ip netns exec) with stdin and CNI env. */
export function execPlugin(nodeNetns: string, binary: string, env: Record<string, string>, stdin: string): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'ip',
      ['netns', 'exec', nodeNetns, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), binary],
      { timeout: 30_000, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

export interface ChainRun {
  readonly command: 'ADD' | 'DEL' | 'CHECK';
  readonly containerId: string;
  readonly podNetnsPath: string;
  readonly ifName: string;
  readonly cniArgs: string;
  readonly cniPath: readonly string[];
  /** For CHECK and DEL: the cached ADD result, as a runtime passes it. */
  readonly prevResult?: Record<string, unknown>;
}

function findBinary(cniPath: readonly string[], type: string): string {
  for (const dir of cniPath) if (existsSync(join(dir, type))) return join(dir, type);
  throw new Error(`plugin ${type} not found in ${cniPath.join(':')}`);
}

/** Runs the conflist's plugins in order (ADD) or reverse order (DEL); stops at the first failure. */
export async function runChain(nodeNetns: string, conflist: Record<string, unknown>, run: ChainRun): Promise<ExecResult & { result?: Record<string, unknown> }> {
  const plugins = conflist['plugins'] as Record<string, unknown>[];
  const order = run.command === 'DEL' ? [...plugins].reverse() : plugins;
  let prev: Record<string, unknown> | undefined = run.command === 'ADD' ? undefined : run.prevResult;
  let last: ExecResult = { code: 0, stdout: '', stderr: '' };
  for (const p of order) {
    const conf = { ...p, name: conflist['name'], cniVersion: conflist['cniVersion'], ...(prev ? { prevResult: prev } : {}) };
    last = await execPlugin(
      nodeNetns,
      findBinary(run.cniPath, String(p['type'])),
      {
        CNI_COMMAND: run.command,
        CNI_CONTAINERID: run.containerId,
        CNI_NETNS: run.podNetnsPath,
        CNI_IFNAME: run.ifName,
        CNI_ARGS: run.cniArgs,
        CNI_PATH: run.cniPath.join(':'),
      },
      JSON.stringify(conf),
    );
    if (last.code !== 0) return last;
    if (run.command === 'ADD') prev = JSON.parse(last.stdout) as Record<string, unknown>;
  }
  return { ...last, ...(prev ? { result: prev } : {}) };
}
