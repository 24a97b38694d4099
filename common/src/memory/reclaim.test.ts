import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapPhysicalBytes, reclaimMemory } from './reclaim.ts';

const MB = 1024 * 1024;

// This file runs in its own process (node --test): its heap is its own.
test('reclaimMemory gives back the heap pages of garbage that outlived the young generation', () => {
  const start = heapPhysicalBytes();
  // ~64 MB of small objects, kept alive long enough to be promoted to the old generation, then dropped.
  let keep: { id: number; payload: string }[][] = [];
  for (let i = 0; i < 64; i++) {
    const batch: { id: number; payload: string }[] = [];
    for (let j = 0; j < 8192; j++) batch.push({ id: j, payload: `object ${i}/${j} `.repeat(4) });
    keep.push(batch);
  }
  const grown = heapPhysicalBytes();
  assert.ok(grown - start > 32 * MB, `the heap grew by ${((grown - start) / MB).toFixed(1)} MB`);
  assert.equal(keep.length, 64);
  keep = [];
  const r = reclaimMemory();
  assert.ok(r.heapBefore - r.heapAfter > 32 * MB, `heap ${(r.heapBefore / MB).toFixed(1)} -> ${(r.heapAfter / MB).toFixed(1)} MB`);
  assert.equal(typeof r.trimmed, 'boolean');
  assert.ok(r.ms >= 0);
  // The process carries on, and a second reclaim has little left to give.
  const again = reclaimMemory();
  assert.ok(again.heapBefore - again.heapAfter < 8 * MB);
});
