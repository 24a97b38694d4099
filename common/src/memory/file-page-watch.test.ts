import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FilePageWatch, fileResidentBytes } from './file-page-watch.ts';
import type { ReleaseResult } from './release-pages.ts';

const MB = 1024 * 1024;

/** Probes over a fake resident figure; a release drops it to `after`. */
function fake(start: number, after: number) {
  let resident = start;
  const releases: number[] = [];
  return {
    set: (v: number) => (resident = v),
    releases,
    probes: {
      fileResidentBytes: async () => resident,
      release: async (): Promise<ReleaseResult> => {
        releases.push(resident);
        resident = after;
        return { mappings: 3, releasedKb: 1234 };
      },
    },
  };
}

test('releases once the file pages grew past the bound, then measures from what the release left', async () => {
  const f = fake(30 * MB, 20 * MB);
  const seen: number[] = [];
  const watch = new FilePageWatch({ intervalMs: 1000, minGrowthBytes: 4 * MB, onRelease: (_r, grown) => seen.push(grown) }, f.probes);
  await watch.rebase();
  f.set(33 * MB);
  assert.equal(await watch.check(), undefined, '3 MB is under the bound');
  f.set(35 * MB);
  assert.deepEqual(await watch.check(), { mappings: 3, releasedKb: 1234 });
  assert.deepEqual(seen, [5 * MB]);
  // The new baseline is the 20 MB the release left, so 23 MB is no reason for another.
  f.set(23 * MB);
  assert.equal(await watch.check(), undefined);
  f.set(25 * MB);
  assert.ok(await watch.check());
  assert.deepEqual(f.releases, [35 * MB, 25 * MB]);
});

test('a failed look is reported and the watch keeps looking', async () => {
  let fail = true;
  const errors: unknown[] = [];
  let looks = 0;
  const watch = new FilePageWatch(
    { intervalMs: 5, minGrowthBytes: MB, onError: (e) => errors.push(e) },
    {
      fileResidentBytes: async () => {
        looks++;
        if (fail) throw new Error('statm went away');
        return 0;
      },
      release: async () => ({ mappings: 0, releasedKb: 0 }),
    },
  ).start();
  try {
    while (errors.length < 2) await new Promise((r) => setTimeout(r, 5));
    fail = false;
    const seen = looks;
    while (looks < seen + 2) await new Promise((r) => setTimeout(r, 5));
    assert.match(String(errors[0]), /statm went away/);
  } finally {
    watch.stop();
  }
});

test('the first look without a baseline only takes one', async () => {
  const f = fake(50 * MB, 10 * MB);
  const watch = new FilePageWatch({ intervalMs: 1000, minGrowthBytes: 4 * MB }, f.probes);
  assert.equal(await watch.check(), undefined);
  assert.deepEqual(f.releases, []);
});

test('reads the resident file-backed figure from statm, and names a malformed one', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'statm-'));
  try {
    writeFileSync(path.join(dir, 'ok'), '100 50 7 1 0 20 0\n');
    assert.equal(await fileResidentBytes(path.join(dir, 'ok')), 7 * 4096);
    writeFileSync(path.join(dir, 'bad'), '100 50\n');
    await assert.rejects(fileResidentBytes(path.join(dir, 'bad')), /no resident-shared field/);
    assert.ok((await fileResidentBytes()) > 0, 'this process has file-backed pages resident');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
