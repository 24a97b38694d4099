import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapPhysicalBytes, reclaimMemory } from './reclaim.ts';
import { promoteGarbage } from '../testing/heap-garbage.ts';

const MB = 1024 * 1024;

// This file runs in its own process (node --test): its heap is its own.
test('reclaimMemory gives back the heap pages of garbage that outlived the young generation', () => {
  const start = heapPhysicalBytes();
  assert.equal(promoteGarbage(64), 64 * 8192);
  const grown = heapPhysicalBytes();
  assert.ok(grown - start > 32 * MB, `the heap grew by ${((grown - start) / MB).toFixed(1)} MB`);
  const r = reclaimMemory();
  assert.ok(r.heapBefore - r.heapAfter > 32 * MB, `heap ${(r.heapBefore / MB).toFixed(1)} -> ${(r.heapAfter / MB).toFixed(1)} MB`);
  assert.equal(typeof r.trimmed, 'boolean');
  assert.ok(r.ms >= 0);
  // The process carries on, and a second reclaim has little left to give.
  const again = reclaimMemory();
  assert.ok(again.heapBefore - again.heapAfter < 8 * MB);
});
