// Giving back the memory of a finished burst. After a burst of connections a Node proxy keeps what the burst
// used: V8 starts its memory reducer only after a full collection, which the burst's garbage may never cause,
// so tens of MB of dead objects stay on committed heap pages; and glibc keeps freed buffers in its arenas.
// Measured on a ztunnel after 5,000 short connections: 52-73 MB of anonymous memory, 22-24 MB after
// reclaimMemory() (a ~150 ms pause, which is why the proxy does it only when it is idle).
import { native } from '../net/native.ts';

/** What a reclaim did. */
export interface ReclaimResult {
  /** V8 heap committed physical bytes before and after. */
  readonly heapBefore: number;
  readonly heapAfter: number;
  /** The process's resident bytes before and after. */
  readonly rssBefore: number;
  readonly rssAfter: number;
  /** Whether malloc_trim returned memory (false as well when the addon lacks it). */
  readonly trimmed: boolean;
  readonly ms: number;
}

type GcFunction = (options?: { type: 'major' | 'minor'; execution: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

let gcFn: GcFunction | undefined;

/**
 * V8's gc() without starting node with --expose-gc: the flag is switched on only while one new context is
 * made (V8 installs gc() in contexts created while it is on), then off again.
 */
function gcFunction(): GcFunction {
  if (gcFn !== undefined) return gcFn;
  const exposed = (globalThis as { gc?: GcFunction }).gc;
  if (typeof exposed === 'function') return (gcFn = exposed);
  const v8 = process.getBuiltinModule('node:v8');
  const vm = process.getBuiltinModule('node:vm');
  v8.setFlagsFromString('--expose-gc');
  try {
    gcFn = vm.runInNewContext('gc') as GcFunction;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return gcFn;
}

/** Heap bytes V8 has committed and resident. */
export function heapPhysicalBytes(): number {
  return process.getBuiltinModule('node:v8').getHeapStatistics().total_physical_size;
}

/**
 * A memory-reducing full collection (V8's last-resort flavour: it also compacts and frees emptied pages),
 * then malloc_trim. Synchronous: the event loop stops for its duration.
 */
export function reclaimMemory(): ReclaimResult {
  const start = performance.now();
  const heapBefore = heapPhysicalBytes();
  const rssBefore = process.memoryUsage.rss();
  gcFunction()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const addon = native();
  const trimmed = typeof addon.trimHeap === 'function' ? addon.trimHeap() : false;
  return { heapBefore, heapAfter: heapPhysicalBytes(), rssBefore, rssAfter: process.memoryUsage.rss(), trimmed, ms: performance.now() - start };
}
