// Heap growth for memory tests: objects kept alive long enough to be promoted to V8's old generation, then
// dropped, so the heap holds garbage that only a full collection frees.

/** Allocates about `mb` MB of small objects that reach the old generation, all garbage once this returns;
 * returns how many were made. */
export function promoteGarbage(mb: number): number {
  const keep: { id: number; payload: string }[][] = [];
  // Each batch is 8,192 objects of roughly 128 bytes: about 1 MB, reachable until the function returns.
  for (let i = 0; i < mb; i++) {
    const batch: { id: number; payload: string }[] = [];
    for (let j = 0; j < 8192; j++) batch.push({ id: j, payload: `object ${i}/${j} `.repeat(4) });
    keep.push(batch);
  }
  return keep.reduce((n, b) => n + b.length, 0);
}
