// V8 heap settings for a proxy process, applied by re-executing this same process image (same pid, same stdio)
// with the flags, since V8 reads them only when the heap is created.
//
// Why a 1 MiB semi-space: the proxied bytes are read into 64 KiB ArrayBuffers that live only until they are
// written on. With the default young generation (up to 16 MiB per semi-space) scavenges are rare, so those
// buffers pile up as external memory and V8 answers with a full mark-compact every ~250 ms of bulk traffic
// (--trace-gc: 42 on the server ztunnel in one 9 s bulk run; 1 with a 1 MiB semi-space). Small scavenges free
// them young: bulk through the pair rose ~200 -> ~250 MB/s and RSS under load fell ~190 -> ~130 MB.
//
// Not --single-threaded-gc: it looked better in short bulk runs but in full l4 benches it left the bulk ratio
// to stunnel unchanged (0.60x vs 0.57x) and cost more at 1000 req/s (0.204 vs 0.173 vCPU, RSS 139 vs 118 MB).

/** The flags; none is added when the caller already set any of them (argv or NODE_OPTIONS). */
export const HEAP_FLAGS = ['--max-semi-space-size=1'] as const;

/**
 * Re-executes the process with HEAP_FLAGS when they are missing. Returns only when no re-exec is needed
 * (flags present, the caller chose its own, or the platform has no execve).
 */
export function ensureHeapFlags(): void {
  const chosen = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const names = HEAP_FLAGS.map((f) => f.split('=')[0] as string);
  if (chosen.some((a) => names.includes(a.split('=')[0] as string))) return;
  if (typeof process.execve !== 'function') return;
  process.execve(process.execPath, [process.execPath, ...HEAP_FLAGS, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
