import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdleReclaimer, shouldReclaim } from './idle-reclaim.ts';
import type { ReclaimProbes } from './idle-reclaim.ts';
import type { ReclaimResult } from './reclaim.ts';
import { waitUntil } from '../testing/index.ts';

const MB = 1024 * 1024;
const OPTS = { intervalMs: 1000, minGrowthBytes: 16 * MB, maxBusyFraction: 0.02, idleLooks: 1 };

test('shouldReclaim: only when idle and grown by the threshold', () => {
  const cases: [string, { residentBytes: number; baselineBytes: number; busyFraction: number }, boolean][] = [
    ['idle and grown', { residentBytes: 60 * MB, baselineBytes: 20 * MB, busyFraction: 0.001 }, true],
    ['grown by exactly the threshold', { residentBytes: 36 * MB, baselineBytes: 20 * MB, busyFraction: 0 }, true],
    ['idle but not grown enough', { residentBytes: 35 * MB, baselineBytes: 20 * MB, busyFraction: 0 }, false],
    ['grown but busy', { residentBytes: 60 * MB, baselineBytes: 20 * MB, busyFraction: 0.3 }, false],
    ['busy share at the bound', { residentBytes: 60 * MB, baselineBytes: 20 * MB, busyFraction: 0.02 }, true],
    ['smaller than the baseline', { residentBytes: 10 * MB, baselineBytes: 20 * MB, busyFraction: 0 }, false],
  ];
  for (const [name, inputs, want] of cases) assert.equal(shouldReclaim(inputs, OPTS), want, name);
});

test('IdleReclaimer waits for idleLooks idle looks in a row; a busy look starts the count again', () => {
  const probes = fakeProbes(20 * MB);
  const r = new IdleReclaimer({ ...OPTS, idleLooks: 2 }, probes);
  probes.resident = 70 * MB;
  probes.after = 22 * MB;
  assert.equal(r.check(), undefined, 'first idle look');
  probes.busy = 0.5;
  assert.equal(r.check(), undefined, 'busy: the count starts again');
  probes.busy = 0;
  assert.equal(r.check(), undefined, 'first idle look again');
  assert.equal(probes.reclaims, 0);
  assert.equal(r.check()?.rssAfter, 22 * MB, 'second idle look in a row');
  probes.resident = 70 * MB;
  assert.equal(r.check(), undefined, 'after a reclaim the count starts from zero');
  assert.ok(r.check() !== undefined);
  assert.equal(probes.reclaims, 2);
});

/** Probes with settable readings; a reclaim shrinks resident memory to `after`. */
function fakeProbes(initialResident: number): ReclaimProbes & { resident: number; busy: number; after: number; reclaims: number } {
  const p = {
    resident: initialResident,
    busy: 0,
    after: initialResident,
    reclaims: 0,
    residentBytes: () => p.resident,
    busyFraction: () => p.busy,
    reclaim: (): ReclaimResult => {
      p.reclaims++;
      const before = p.resident;
      p.resident = p.after;
      return { heapBefore: before, heapAfter: p.after, rssBefore: before, rssAfter: p.after, trimmed: true, ms: 1 };
    },
  };
  return p;
}

test('IdleReclaimer reclaims after a burst once the process is idle, then measures growth from the result', () => {
  const probes = fakeProbes(20 * MB);
  const seen: ReclaimResult[] = [];
  const r = new IdleReclaimer({ ...OPTS, onReclaim: (x) => seen.push(x) }, probes);
  assert.equal(r.check(), undefined, 'nothing grew');
  probes.resident = 70 * MB;
  probes.busy = 0.4;
  assert.equal(r.check(), undefined, 'busy: left to the collector');
  probes.busy = 0.005;
  probes.after = 24 * MB;
  assert.equal(r.check()?.rssAfter, 24 * MB);
  assert.equal(probes.reclaims, 1);
  assert.deepEqual(seen.map((x) => x.rssBefore), [70 * MB]);
  probes.resident = 38 * MB;
  assert.equal(r.check(), undefined, 'grown by 14 MB over the new baseline: under the threshold');
  probes.resident = 41 * MB;
  assert.ok(r.check() !== undefined, 'grown by 17 MB over the new baseline');
  assert.equal(probes.reclaims, 2);
});

test('IdleReclaimer.rebase takes what is resident now as the baseline', () => {
  const probes = fakeProbes(90 * MB);
  const r = new IdleReclaimer(OPTS, probes);
  probes.resident = 50 * MB; // pages went back outside reclaim
  r.rebase();
  probes.resident = 70 * MB;
  assert.ok(r.check() !== undefined, 'grown by 20 MB over the rebased 50 MB (it would be a shrink from 90)');
});

test('IdleReclaimer.reclaimNow reclaims regardless and resets the baseline; start and stop manage one timer', () => {
  const probes = fakeProbes(50 * MB);
  probes.after = 30 * MB;
  const r = new IdleReclaimer(OPTS, probes);
  assert.equal(r.reclaimNow().rssAfter, 30 * MB);
  probes.resident = 45 * MB;
  assert.equal(r.check(), undefined, 'measured from the 30 MB the reclaim left, not the 50 MB at construction');
  r.start();
  r.start();
  r.stop();
  r.stop();
  assert.equal(probes.reclaims, 1);
});

test('a timed look that throws stops the reclaimer and is reported, not thrown', async () => {
  let reads = 0;
  const probes: ReclaimProbes = {
    ...fakeProbes(20 * MB),
    residentBytes: () => {
      if (reads++ > 0) throw new Error('no heap statistics');
      return 20 * MB; // the constructor's baseline
    },
  };
  const errors: unknown[] = [];
  const r = new IdleReclaimer({ ...OPTS, intervalMs: 5, onError: (err) => errors.push(err) }, probes);
  r.start();
  await waitUntil('the failed look to be reported', () => errors.length > 0);
  await new Promise((resolve) => setTimeout(resolve, 30));
  r.stop();
  assert.equal(errors.length, 1, 'reported once, then stopped');
  assert.match(String(errors[0]), /no heap statistics/);
});
