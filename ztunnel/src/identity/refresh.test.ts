import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKOFF_MAX_MS, backoffDelay, nextRefreshDelay, refreshAt } from './refresh.ts';

describe('certificate refresh timing', () => {
  it('renews at half-life', () => {
    assert.equal(refreshAt(1000, 1000 + 24 * 3600_000), 1000 + 12 * 3600_000);
    assert.equal(nextRefreshDelay(5000, 0, 8000), 0, 'past half-life: now');
    assert.equal(nextRefreshDelay(1000, 0, 8000), 3000);
  });

  it('backs off from 500 ms doubling up to 150 s', () => {
    assert.deepEqual([1, 2, 3, 4].map(backoffDelay), [500, 1000, 2000, 4000]);
    assert.equal(backoffDelay(20), BACKOFF_MAX_MS);
    assert.equal(backoffDelay(1000), BACKOFF_MAX_MS);
  });
});
