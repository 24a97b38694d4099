// ztunnel's memory upkeep: once ready, and then while it runs, it gives back what it no longer uses: heap and
// malloc arenas a burst left behind (when idle, see common/src/memory/idle-reclaim.ts) and the pages of the
// node binary that came back in use (busy or not, see common/src/memory/file-page-watch.ts).
import { errorMessage } from '@mesh/common/errors';
import type { Drain, Readiness } from '@mesh/common/lifecycle';
import type { Logger } from '@mesh/common/log';
import { FilePageWatch, IdleReclaimer, releaseFilePages } from '@mesh/common/memory';
import type { ReclaimResult } from '@mesh/common/memory';
import type { ZtunnelConfig } from './config.ts';

/** Resident memory grown past the last reclaim that is worth an idle reclaim's pause (about 150 ms on a small
 * node): reclaims happen at most once per quiet spell, so the bar can be low. */
const RECLAIM_MIN_GROWTH_BYTES = 8 * 1024 * 1024;
/** Event-loop busy share under which ztunnel counts as idle: keepalive pings, probes and metric scrapes. */
const RECLAIM_MAX_BUSY_FRACTION = 0.02;
/** Idle intervals in a row before an idle reclaim: memory comes back 30-60 s into a quiet spell, not between
 * bursts a few seconds apart (see common/src/memory/idle-reclaim.ts). */
const RECLAIM_IDLE_LOOKS = 2;
/** File pages of the node binary come back in use, busy or idle (a burst of new connections runs the compilers
 * and set-up code): this much growth since the last release is given back at the next look, without a pause. */
const FILE_PAGES_MIN_GROWTH_BYTES = 4 * 1024 * 1024;
/** How often the file pages are looked at (a read of /proc/self/statm), at most MEMORY_RECLAIM_INTERVAL. */
const FILE_PAGES_LOOK_MS = 10_000;

/** Megabytes with one decimal, for log lines. */
const mb = (bytes: number): number => Math.round(bytes / 104857.6) / 10;

/** Starts the upkeep; the drain stops it. */
export function startMemoryUpkeep(config: ZtunnelConfig, readiness: Readiness, drain: Drain, logger: Logger): void {
  // Pages of the node binary touched only while starting (loading, compiling, TLS and HTTP/2 set-up), or only
  // while a burst was being compiled for, go back once ready and after each idle reclaim (see common/src/memory).
  const releasePages = async (when: 'start-up' | 'idle'): Promise<void> => {
    if (!config.releaseStartupPages) return;
    try {
      const r = await releaseFilePages();
      if (r.skipped !== undefined) logger.warn({}, `${when} pages kept: ${r.skipped}`);
      else logger.info({ mappings: r.mappings, releasedMb: mb(r.releasedKb * 1024) }, `released ${when} pages of the node binary`);
    } catch (err) {
      logger.warn({}, `${when} pages kept: ${errorMessage(err)}`);
    }
  };
  // Heap a burst of connections left behind goes back once the proxy is idle (see common/src/memory).
  let started = false;
  const reclaimer =
    config.memoryReclaimIntervalMs > 0
      ? new IdleReclaimer({
          intervalMs: config.memoryReclaimIntervalMs,
          minGrowthBytes: RECLAIM_MIN_GROWTH_BYTES,
          maxBusyFraction: RECLAIM_MAX_BUSY_FRACTION,
          idleLooks: RECLAIM_IDLE_LOOKS,
          onReclaim: (r: ReclaimResult) => {
            logger.info({ rssBeforeMb: mb(r.rssBefore), rssAfterMb: mb(r.rssAfter), heapBeforeMb: mb(r.heapBefore), heapAfterMb: mb(r.heapAfter), trimmed: r.trimmed, ms: Math.round(r.ms) }, 'memory reclaimed');
            if (started) {
              void releasePages('idle').then(async () => {
                reclaimer?.rebase();
                await pageWatch?.rebase().catch(() => {});
              });
            }
          },
          onError: (err) => logger.warn({}, `memory reclaim stopped: ${errorMessage(err)}`),
        })
      : undefined;
  const pageWatch =
    config.memoryReclaimIntervalMs > 0 && config.releaseStartupPages
      ? new FilePageWatch({
          intervalMs: Math.min(config.memoryReclaimIntervalMs, FILE_PAGES_LOOK_MS),
          minGrowthBytes: FILE_PAGES_MIN_GROWTH_BYTES,
          onRelease: (r, grown) => logger.info({ grownMb: mb(grown), mappings: r.mappings, releasedMb: mb(r.releasedKb * 1024) }, 'released pages of the node binary that came back'),
          onError: (err) => logger.warn({}, `page release failed: ${errorMessage(err)}`),
        })
      : undefined;
  const stop = (): void => {
    reclaimer?.stop();
    pageWatch?.stop();
  };
  drain.register('memory reclaim', { graceful: async () => stop(), force: stop });
  // Once ready: start-up's garbage (proto descriptors, configuration, compiling) and pages go back.
  void readiness.whenReady().then(async () => {
    if (drain.signal.aborted) return;
    try {
      reclaimer?.reclaimNow();
    } catch (err) {
      logger.warn({}, `memory reclaim off: ${errorMessage(err)}`);
    }
    await releasePages('start-up');
    started = true;
    // Growth counts from what is resident once both are done.
    reclaimer?.rebase();
    reclaimer?.start();
    await pageWatch?.rebase().catch(() => {});
    pageWatch?.start();
  });
}
