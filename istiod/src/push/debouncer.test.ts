import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '@mesh/common/testing';
import { Debouncer } from './debouncer.ts';

test('a burst of changes makes one run after the quiet period, reporting the count', async () => {
  const runs: number[] = [];
  const d = new Debouncer({ afterMs: 30, maxMs: 10_000 }, async (_waited, events) => {
    runs.push(events);
  });
  try {
    for (let i = 0; i < 5; i++) d.trigger();
    await waitUntil('the run', () => runs.length === 1, 5_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(runs, [5]);
  } finally {
    await d.close();
  }
});

test('changes that never stop still run once the max delay passed (fake clock)', async () => {
  let now = 0;
  const runs: number[] = [];
  const d = new Debouncer({ afterMs: 1_000, maxMs: 3_000, now: () => now }, async (waited) => {
    runs.push(waited);
  });
  try {
    d.trigger(); // first change at t=0
    now = 2_900;
    d.trigger(); // the quiet period would end at 3_900, the max delay ends at 3_000
    now = 3_000;
    // The timer was set for (3_000 - 2_900) = 100 real ms.
    await waitUntil('the capped run', () => runs.length === 1, 5_000);
    assert.deepEqual(runs, [3_000]);
  } finally {
    await d.close();
  }
});

test('runs never overlap: a change during a run schedules one more run after it', async () => {
  let active = 0;
  let maxActive = 0;
  let release: () => void = () => {};
  const runs: number[] = [];
  const d = new Debouncer({ afterMs: 5, maxMs: 50 }, async (_w, events) => {
    active++;
    maxActive = Math.max(maxActive, active);
    runs.push(events);
    if (runs.length === 1) await new Promise<void>((r) => (release = r));
    active--;
  });
  try {
    d.trigger();
    await waitUntil('the first run', () => runs.length === 1, 5_000);
    d.trigger();
    d.trigger();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(runs.length, 1, 'no second run while the first is busy');
    release();
    await waitUntil('the second run', () => runs.length === 2, 5_000);
    assert.deepEqual(runs, [1, 2]);
    assert.equal(maxActive, 1);
  } finally {
    await d.close();
  }
});

test('close stops pending runs', async () => {
  const runs: number[] = [];
  const d = new Debouncer({ afterMs: 20, maxMs: 100 }, async (_w, events) => {
    runs.push(events);
  });
  d.trigger();
  await d.close();
  d.trigger();
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(runs, []);
});
