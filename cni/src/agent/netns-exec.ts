// Running a command inside a pod's netns (nsenter --net=<path>), and finding a running pod's netns by IP.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MeshError } from '@mesh/common/errors';

export type NetnsErrorCode = 'ERR_CNI_NETNS_EXEC';
export class NetnsExecError extends MeshError<NetnsErrorCode> {}

const EXEC_TIMEOUT_MS = 15_000;

/** Runs `cmd args` in the netns at `netnsPath`, feeding `stdin`; resolves stdout, rejects naming the command. */
export function execInNetns(netnsPath: string, cmd: string, args: readonly string[], stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('nsenter', [`--net=${netnsPath}`, '--', cmd, ...args], { encoding: 'utf8', timeout: EXEC_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) {
        reject(new NetnsExecError('ERR_CNI_NETNS_EXEC', `${cmd} ${args.join(' ')} in netns ${netnsPath} failed: ${stderr.trim() || err.message}`, { cause: err }));
      } else {
        resolve(stdout);
      }
    });
    child.stdin?.on('error', () => {
      // the command may exit before reading stdin; the exit status reports the problem
    });
    child.stdin?.end(stdin ?? '');
  });
}

/** The IPs configured inside a netns (`ip -j addr`). */
export async function netnsAddresses(netnsPath: string): Promise<string[]> {
  const out = await execInNetns(netnsPath, 'ip', ['-j', 'addr', 'show']);
  const links = JSON.parse(out) as { addr_info?: { local?: string }[] }[];
  return links.flatMap((l) => (l.addr_info ?? []).map((a) => a.local ?? '')).filter((a) => a !== '');
}

/** Searches `dir` (names starting with `namePrefix` only) for a netns holding any of `ips`; undefined when none does. */
export async function findNetnsByIp(dir: string, ips: readonly string[], namePrefix = ''): Promise<string | undefined> {
  if (ips.length === 0) return undefined;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const name of names.filter((n) => n.startsWith(namePrefix)).sort()) {
    const path = join(dir, name);
    try {
      const addrs = await netnsAddresses(path);
      if (addrs.some((a) => ips.includes(a))) return path;
    } catch {
      // not a netns, or gone meanwhile
    }
  }
  return undefined;
}
