// A focused run of the ztunnel pair only (no stunnel, no direct), for profiling and quick before/after checks:
//   npx node ztunnel/bench/l4-quick.ts [bulk|fixed|c50|all]
// L4_BENCH_ZTUNNEL_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles both ztunnels. Prints figures, writes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBenchPki } from './l4/certs.ts';
import { bulk, fixedRate, httpClosedLoop } from './l4/load.ts';
import { CpuMeter, rssMb, rssParts } from './l4/proc-stats.ts';
import { stopAll } from './l4/procs.ts';
import { startZtunnelPair } from './l4/ztunnel-pair.ts';

const what = process.argv[2] ?? 'all';
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const dir = mkdtempSync(path.join(os.tmpdir(), 'l4-quick-'));
try {
  const pki = await createBenchPki(dir);
  const zt = await startZtunnelPair(dir, pki, 0);
  const pids = zt.children.map((c) => c.pid);
  log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; idle RSS MB ${pids.map((p) => rssMb(p).toFixed(1)).join(' / ')}`);
  if (what === 'fixed' || what === 'all') {
    await httpClosedLoop(zt.dial, { connections: 4, durationMs: 500, keepAlive: true });
    const meter = new CpuMeter(pids);
    const r = await fixedRate(zt.dial, { rps: 1000, durationMs: 10_000, connections: 8 });
    const cpu = meter.read();
    log(`fixed 1000 rps: achieved ${r.achievedRps.toFixed(0)}, p99 ${r.p99Ms.toFixed(3)} ms, errors ${r.errors}; vCPU ${cpu.map((c) => c.toFixed(3)).join(' / ')}; RSS MB ${pids.map((p) => rssMb(p).toFixed(1)).join(' / ')}`);
  }
  if (what === 'bulk' || what === 'all') {
    for (let i = 0; i < 3; i++) {
      const meter = new CpuMeter(pids);
      const mbps = await bulk(zt.dial, { maxBytes: 1024 * 1024 * 1024, maxMs: 3000 });
      log(`bulk: ${mbps.toFixed(1)} MB/s; vCPU ${meter.read().map((c) => c.toFixed(3)).join(' / ')}`);
    }
  }
  if (what === 'c50' || what === 'all') {
    for (let i = 0; i < 2; i++) {
      const r = await httpClosedLoop(zt.dial, { connections: 50, durationMs: 3000, keepAlive: true });
      log(`c50: ${r.rps.toFixed(0)} req/s, ${r.errors} errors`);
    }
  }
  log(`RSS after: ${pids.map((p) => rssMb(p).toFixed(1)).join(' / ')} (anon/file ${pids.map((p) => `${rssParts(p).anon.toFixed(1)}/${rssParts(p).file.toFixed(1)}`).join(' / ')})`);
  await zt.stop();
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
