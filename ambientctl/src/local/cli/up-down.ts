// `up` (start the daemon detached, wait for readiness) and `down` (remove everything).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { layoutFor } from '../cluster/layout.ts';
import { LocalError } from '../cluster/run.ts';
import { isAlive, readState } from '../cluster/state.ts';
import { clusterNetns, teardown } from '../cluster/teardown.ts';
import { callDaemon } from '../daemon/control.ts';
import type { ClusterStatus } from '../daemon/daemon.ts';

const CLI = fileURLToPath(new URL('../../../bin/ambientctl.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tail(path: string, lines: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
}

export async function upCluster(f: { dataDir: string; nodes: number; mesh: boolean; timeout: number }): Promise<void> {
  const l = layoutFor(f.dataDir);
  const st = readState(l.statePath);
  if (st?.daemon && isAlive(st.daemon)) {
    throw new LocalError('ERR_LOCAL_ALREADY_RUNNING', `a local cluster already runs in ${l.dataDir} (daemon pid ${st.daemon.pid}); run \`ambientctl local down --data-dir ${l.dataDir}\` first`);
  }
  mkdirSync(l.logsDir, { recursive: true });
  const logPath = join(l.logsDir, 'daemon.log');
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [CLI, 'local', 'daemon', '--data-dir', l.dataDir, '--nodes', String(f.nodes), '--mesh', String(f.mesh)], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  closeSync(fd);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exit code ${code}, signal ${signal}`));
  child.unref();
  console.log(`starting local cluster in ${l.dataDir} (${f.nodes} nodes${f.mesh ? ', with the mesh' : ', cluster only'}); daemon log: ${logPath}`);
  const deadline = Date.now() + f.timeout * 1000;
  let last: ClusterStatus | undefined;
  while (Date.now() < deadline) {
    if (exited) throw new LocalError('ERR_LOCAL_NOT_RUNNING', `the daemon stopped (${exited}); last lines of ${logPath}:\n${tail(logPath, 30)}`);
    try {
      last = (await callDaemon(l.controlSocket, 'GET', '/status', 10_000)) as ClusterStatus;
      if (last.ready) break;
    } catch {
      // Not serving yet.
    }
    await sleep(500);
  }
  if (!last?.ready) {
    const waiting = last?.components.filter((c) => !c.healthy).map((c) => c.name).join(', ') ?? 'the daemon';
    throw new LocalError('ERR_LOCAL_TIMEOUT', `local cluster not ready within ${f.timeout} s (waiting for ${waiting}); see ${logPath} and \`ambientctl local status --data-dir ${l.dataDir}\``);
  }
  const dd = `--data-dir ${l.dataDir}`;
  console.log(`local cluster ready: ${last.nodes.map((n) => n.name).join(', ')}`);
  console.log(`kubeconfig: ${l.kubeconfig}`);
  console.log('next:');
  console.log(`  export KUBECONFIG=${l.kubeconfig}`);
  console.log(`  ambientctl local status ${dd}`);
  console.log(`  ambientctl local exec ${dd} <ns>/<pod> -- <command>`);
  console.log(`  ambientctl local down ${dd}`);
}

export async function downCluster(dataDir: string): Promise<void> {
  const l = layoutFor(dataDir);
  if (!existsSync(l.statePath) && clusterNetns(l.prefix).length === 0) {
    console.log(`no local cluster in ${l.dataDir}: nothing to remove`);
    return;
  }
  const removed = await teardown(l);
  console.log(`local cluster in ${l.dataDir} removed (${removed.length} items)`);
  for (const r of removed) console.log(`  ${r}`);
}
