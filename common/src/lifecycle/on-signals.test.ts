import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Drain } from './drain.ts';
import type { DrainResult } from './drain.ts';
import { onSignals } from './on-signals.ts';

test('SIGTERM starts the drain once and reports the result; dispose removes the listeners', async () => {
  const emitter = new EventEmitter();
  const drain = new Drain({ deadlineMs: 1000 });
  const results: DrainResult[] = [];
  let reported!: () => void;
  const done = new Promise<void>((r) => (reported = r));
  const dispose = onSignals(drain, {
    emitter,
    onDrained: (res) => {
      results.push(res);
      reported();
    },
  });
  assert.equal(emitter.listenerCount('SIGTERM'), 1);
  assert.equal(emitter.listenerCount('SIGINT'), 1);
  emitter.emit('SIGTERM');
  emitter.emit('SIGINT');
  await done;
  await drain.start('ignored');
  assert.equal(results.length, 1);
  assert.equal(results[0]?.reason, 'received SIGTERM');
  dispose();
  assert.equal(emitter.listenerCount('SIGTERM'), 0);
  assert.equal(emitter.listenerCount('SIGINT'), 0);
});

test('only the listed signals start the drain', () => {
  const emitter = new EventEmitter();
  const drain = new Drain({ deadlineMs: 1000 });
  const dispose = onSignals(drain, { emitter, signals: ['SIGUSR2'] });
  emitter.emit('SIGTERM');
  assert.equal(drain.started, false);
  emitter.emit('SIGUSR2');
  assert.equal(drain.started, true);
  dispose();
});
