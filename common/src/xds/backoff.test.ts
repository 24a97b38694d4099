import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.ts';

test('backoff starts at 10 ms, doubles, and stops at 15 s', () => {
  const backoff = new Backoff();
  const delays = Array.from({ length: 13 }, () => backoff.next());
  assert.deepEqual(delays, [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 15000, 15000]);
});

test('reset starts the sequence again', () => {
  const backoff = new Backoff({ initialMs: 5, maxMs: 100 });
  backoff.next();
  backoff.next();
  backoff.reset();
  assert.equal(backoff.next(), 5);
});

test('bad bounds are rejected with a message naming them', () => {
  assert.throws(() => new Backoff({ initialMs: 0 }), /initialMs/);
  assert.throws(() => new Backoff({ initialMs: 50, maxMs: 10 }), /50 and 10/);
});
