// L4 benchmark (issue 5): direct loopback vs our ztunnel pair vs a stunnel pair doing the same mTLS 1.3 hop,
// measured in one run on this machine. Writes results/l4.json in the issue's shape and prints ratios.
//   npm run bench:l4          (or: npm run bench -- l4)
// Topology per path: generator (this process) -> [client proxy -> mTLS -> server proxy] -> app (own process).
//   direct:  loopback to the app.
//   ztunnel: two ztunnel/src/main.ts processes in in-pod mode, pods as netns with the in-pod rules
//            (l4/ztunnel-pair.ts; L4_BENCH_ZTUNNEL_NODE_ARGS adds node flags to both);
//            L4_BENCH_ZTUNNEL=bench-only swaps in the bench-only HBONE pair
//            (l4/hbone-pair-proxy.ts: common/hbone on loopback without ztunnel's state, policy and telemetry).
//   stunnel: Debian stunnel client + server instances, same TLS 1.3 ciphers and client certificates, across
//            two pod netns on a bridge like the ztunnel pair (L4_BENCH_STUNNEL=loopback: on loopback).
//   stunnel+rules (fixed rate only, a reference): the same stunnel pair with the in-pod capture rules installed
//            in both pods, i.e. what the rules alone cost a C tunnel at that load.
// Needs root (netns, iptables) and stunnel. Everything it starts (processes, netns, temp files) is removed at
// the end, on errors and on SIGINT/SIGTERM.
// The fixed-rate phase also runs in alternating rounds; each path keeps its round with the least CPU (and the
// highest RSS of its rounds).
// All paths are up for the whole run but only one carries traffic at a time. CPU and RSS are read from /proc
// of the proxy pids only. The machine is shared, so throughput workloads run in alternating rounds (every path
// once per round) and each path keeps its best round: a burst of someone else's load then skews one sample,
// not one path.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBenchPki } from './l4/certs.ts';
import { startHbonePair } from './l4/hbone-pair.ts';
import { bulk, churn, fixedRate, httpClosedLoop } from './l4/load.ts';
import type { Dial, FixedRateResult } from './l4/load.ts';
import { CpuMeter, rssMb } from './l4/proc-stats.ts';
import { firstJsonLine, loopbackDial, startChild, stopAll } from './l4/procs.ts';
import { startStunnelPair, stunnelModeFromEnv } from './l4/stunnel-pair.ts';
import { startZtunnelPair, ztunnelPairUnavailable } from './l4/ztunnel-pair.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = 2;
const BULK = { maxBytes: 1024 * 1024 * 1024, maxMs: 3000 };
const RATE_MS = 3000;
const CONNECTIONS = 50;
const CHURN_CONNECTIONS = 5000;
const FIXED = { rps: 1000, durationMs: 10_000, connections: 8 };

/** One path under test: a dial function and the proxy pids (none for direct). */
interface BenchPath {
  key: 'direct' | 'ztunnel' | 'stunnel' | 'stunnel+rules';
  label: string;
  dial: Dial;
  pids: number[];
}

interface Steady {
  fixed: FixedRateResult;
  cpu: number[];
  rss: number[];
}

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const round = (n: number, digits: number): number => Number(n.toFixed(digits));
const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const fmt = (xs: number[], d: number): string => xs.map((x) => x.toFixed(d)).join(' / ');

/** CPU and RSS at a fixed 1000 req/s of 1 KiB, on fresh proxies (before the heavy workloads grow heaps). */
async function steady(p: BenchPath): Promise<Steady> {
  await httpClosedLoop(p.dial, { connections: 4, durationMs: 500, keepAlive: true }); // warm-up
  const meter = new CpuMeter(p.pids);
  const fixed = await fixedRate(p.dial, FIXED);
  const cpu = meter.read();
  const rss = p.pids.map(rssMb);
  log(
    `   ${p.key.padEnd(8)} achieved ${fixed.achievedRps.toFixed(0)} req/s, p50 ${fixed.p50Ms.toFixed(3)} ms, p99 ${fixed.p99Ms.toFixed(3)} ms, ` +
      `${fixed.errors} errors${p.pids.length > 0 ? `; vCPU per proxy ${fmt(cpu, 3)}; RSS MB ${fmt(rss, 1)}` : ''}`,
  );
  return { fixed, cpu, rss };
}

/** Of two fixed-rate rounds of one path, the one with less CPU (direct, with no proxy: the lower p99, which
 * makes the proxies' added p99 no smaller), carrying the higher RSS of the two. */
function leastCpu(a: Steady | undefined, b: Steady): Steady {
  if (a === undefined) return b;
  const score = (x: Steady): number => (x.cpu.length > 0 ? mean(x.cpu) : x.fixed.p99Ms);
  const [keep, other] = score(a) <= score(b) ? [a, b] : [b, a];
  return { ...keep, rss: keep.rss.map((v, i) => Math.max(v, other.rss[i] ?? v)) };
}

/** Runs `fn` on every path, ROUNDS times alternating, and keeps each path's best figure. */
async function bestOf(name: string, unit: string, paths: BenchPath[], fn: (p: BenchPath) => Promise<number>): Promise<Map<string, number>> {
  const best = new Map<string, number>();
  const samples = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const p of paths) {
      const v = await fn(p);
      best.set(p.key, Math.max(best.get(p.key) ?? 0, v));
      samples.set(p.key, [...(samples.get(p.key) ?? []), v]);
    }
  }
  for (const p of paths) log(`   ${name.padEnd(22)} ${p.key.padEnd(8)} best ${(best.get(p.key) ?? 0).toFixed(0).padStart(7)} ${unit}  (rounds: ${fmt(samples.get(p.key) ?? [], 0)})`);
  return best;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'l4-bench-'));
  const cleanup = async (): Promise<void> => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  }
  // Every wait below is bounded; this is the last resort against a stalled path.
  const watchdog = setTimeout(() => {
    process.stderr.write('l4 bench: no result after 10 minutes, giving up\n');
    void cleanup().finally(() => process.exit(1));
  }, 600_000);
  watchdog.unref();
  try {
    log(`l4 bench: ${os.cpus().length} CPUs, node ${process.version}, load average ${loadavg()}; generator in this process, app in its own process`);
    const pki = await createBenchPki(dir);
    const app = startChild('app', process.execPath, [path.join(HERE, 'l4', 'app-server.ts')]);
    const { port: appPort } = await firstJsonLine<{ port: number }>(app);

    const unavailable = ztunnelPairUnavailable();
    if (unavailable !== undefined) log(`NOTE: ${unavailable}; measuring the bench-only HBONE pair in its place`);
    log('   starting the ztunnel pair and the stunnel pair');
    const zt = await (unavailable === undefined ? startZtunnelPair(dir, pki, appPort) : startHbonePair(pki, appPort));
    const st = await startStunnelPair(dir, pki, appPort);
    // The reference pair gets its own directory: stunnel's configuration and log files have fixed names.
    const refDir = path.join(dir, 'stunnel-rules');
    mkdirSync(refDir);
    const stRules = stunnelModeFromEnv() === 'pods' ? await startStunnelPair(refDir, pki, appPort, 'inpod') : undefined;
    const paths: BenchPath[] = [
      { key: 'direct', label: 'direct loopback', dial: loopbackDial(appPort), pids: [] },
      { key: 'ztunnel', label: zt.label, dial: zt.dial, pids: zt.children.map((c) => c.pid) },
      { key: 'stunnel', label: st.label, dial: st.dial, pids: st.children.map((c) => c.pid) },
    ];
    const fixedPaths = [...paths];
    if (stRules !== undefined) fixedPaths.push({ key: 'stunnel+rules', label: stRules.label, dial: stRules.dial, pids: stRules.children.map((c) => c.pid) });
    for (const p of fixedPaths) log(`   ${p.key.padEnd(8)} = ${p.label}${p.pids.length > 0 ? `; idle RSS MB ${fmt(p.pids.map(rssMb), 1)}` : ''}`);

    log(`-- fixed ${FIXED.rps} req/s, 1 KiB responses, ${FIXED.connections} keep-alive connections, ${FIXED.durationMs / 1000} s each, ${ROUNDS} alternating rounds`);
    const fixed = new Map<string, Steady>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const p of fixedPaths) fixed.set(p.key, leastCpu(fixed.get(p.key), await steady(p)));
    }
    await stRules?.stop();

    log(`-- throughput (${ROUNDS} alternating rounds, best kept)`);
    const bulkMbps = await bestOf('bulk (1 connection)', 'MB/s', paths, (p) => bulk(p.dial, BULK));
    const c50 = await bestOf('50 keep-alive conns', 'req/s', paths, async (p) => {
      const r = await httpClosedLoop(p.dial, { connections: CONNECTIONS, durationMs: RATE_MS, keepAlive: true });
      if (r.errors > 0) log(`   WARNING: ${p.key}: ${r.errors} errors with 50 keep-alive connections`);
      return r.rps;
    });
    const newConn = await bestOf('new conn per request', 'req/s', paths, async (p) => {
      const r = await httpClosedLoop(p.dial, { connections: CONNECTIONS, durationMs: RATE_MS, keepAlive: false });
      if (r.errors > 0) log(`   WARNING: ${p.key}: ${r.errors} errors with a new connection per request`);
      return r.rps;
    });

    const ztPath = paths[1] as BenchPath;
    log(`-- churn: ${CHURN_CONNECTIONS} short connections through ztunnel, ${CONNECTIONS} at a time`);
    const churnResult = await churn(ztPath.dial, CHURN_CONNECTIONS, CONNECTIONS);
    log(`   ${churnResult.failures} failures; RSS after all workloads: ztunnel ${fmt(ztPath.pids.map(rssMb), 1)} MB, stunnel ${fmt((paths[2] as BenchPath).pids.map(rssMb), 1)} MB`);
    await Promise.all([zt.stop(), st.stop(), app.stop()]);

    const z = fixed.get('ztunnel') as Steady;
    const s = fixed.get('stunnel') as Steady;
    const d = fixed.get('direct') as Steady;
    const sr = fixed.get('stunnel+rules');
    const pick = (m: Map<string, number>, digits: number) => ({
      direct: round(m.get('direct') ?? NaN, digits),
      ztunnel: round(m.get('ztunnel') ?? NaN, digits),
      stunnel: round(m.get('stunnel') ?? NaN, digits),
    });
    const results = {
      bulk_mbps: pick(bulkMbps, 1),
      rps_c50: pick(c50, 0),
      rps_new_conn: pick(newConn, 0),
      churn: churnResult,
      fixed_1000rps: {
        cpu_vcpu_per_ztunnel: round(mean(z.cpu), 3),
        rss_mb_per_ztunnel: round(Math.max(...z.rss), 1),
        p99_added_ms: round(z.fixed.p99Ms - d.fixed.p99Ms, 3),
      },
    };
    const r = (m: Map<string, number>, a: string, b: string): string => `${((m.get(a) ?? NaN) / (m.get(b) ?? NaN)).toFixed(2)}x`;
    const summary = [
      '',
      `ztunnel = ${zt.label}`,
      `bulk            ${r(bulkMbps, 'ztunnel', 'stunnel')} stunnel (target >= 1.0x); ${r(bulkMbps, 'ztunnel', 'direct')} direct`,
      `rps_c50         ${r(c50, 'ztunnel', 'stunnel')} stunnel (target >= 1.5x); ${r(c50, 'ztunnel', 'direct')} direct`,
      `rps_new_conn    ${r(newConn, 'ztunnel', 'stunnel')} stunnel; ${r(newConn, 'ztunnel', 'direct')} direct`,
      `fixed 1000 rps  ${results.fixed_1000rps.cpu_vcpu_per_ztunnel} vCPU per ztunnel (target <= 0.10; per stunnel ${mean(s.cpu).toFixed(3)}), ` +
        `${results.fixed_1000rps.rss_mb_per_ztunnel} MB RSS (target <= 60; stunnel ${Math.max(...s.rss).toFixed(1)}), ` +
        `p99 +${results.fixed_1000rps.p99_added_ms} ms vs direct (stunnel +${(s.fixed.p99Ms - d.fixed.p99Ms).toFixed(3)} ms)`,
      ...(sr === undefined ? [] : [`                stunnel with the in-pod rules: ${mean(sr.cpu).toFixed(3)} vCPU per stunnel (the rules' share of the CPU figure)`]),
      `churn           ${churnResult.connections} connections, ${churnResult.failures} failures`,
      `load average at the end ${loadavg()} (a shared machine: compare ratios within one run, not absolute figures across runs)`,
    ];
    for (const line of summary) log(line);
    const out = path.join(HERE, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'l4.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(JSON.stringify(results));
    log(`wrote ${path.relative(process.cwd(), path.join(out, 'l4.json')) || 'results/l4.json'}`);
  } finally {
    await cleanup();
  }
}

function loadavg(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

await main();
