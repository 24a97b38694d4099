import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readiness } from './readiness.ts';

test('ready only once every registered task is done', async () => {
  const r = new Readiness();
  const xds = r.register('xds');
  const certs = r.register('certificates');
  assert.equal(r.isReady(), false);
  assert.deepEqual(r.pending(), ['xds', 'certificates']);
  let woke = false;
  const waiting = r.whenReady().then(() => (woke = true));
  xds.done();
  xds.done(); // idempotent
  assert.deepEqual(r.pending(), ['certificates']);
  await Promise.resolve();
  assert.equal(woke, false);
  certs.done();
  assert.equal(r.isReady(), true);
  await waiting;
  assert.equal(woke, true);
});

test('no tasks means ready; tasks with the same name are tracked separately', async () => {
  const r = new Readiness();
  assert.equal(r.isReady(), true);
  await r.whenReady();
  const a = r.register('listener');
  r.register('listener');
  a.done();
  assert.deepEqual(r.pending(), ['listener']);
  assert.equal(r.isReady(), false);
});
