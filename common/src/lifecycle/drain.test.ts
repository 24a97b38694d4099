import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Drain } from './drain.ts';
import type { DrainParticipant } from './drain.ts';

/** A participant whose graceful() finishes only when told to; records calls. */
function fake(behaviour: 'finishes' | 'hangs' | 'rejects' | 'force-throws' = 'finishes') {
  const calls: string[] = [];
  let seen: AbortSignal | undefined;
  const participant: DrainParticipant = {
    graceful(signal) {
      calls.push('graceful');
      seen = signal;
      if (behaviour === 'finishes') return Promise.resolve();
      if (behaviour === 'rejects') return Promise.reject(new Error('listener close failed'));
      return new Promise<void>(() => {}); // never finishes
    },
    force() {
      calls.push('force');
      if (behaviour === 'force-throws') throw new Error('cannot force');
    },
  };
  return { participant, calls, signal: () => seen };
}

test('graceful participants finish and none are forced', async () => {
  const drain = new Drain({ deadlineMs: 60_000 });
  const a = fake();
  const b = fake();
  drain.register('a', a.participant);
  drain.register('b', b.participant);
  const result = await drain.start('test');
  assert.deepEqual(result, { reason: 'test', completed: ['a', 'b'], forced: [], failed: [] });
  assert.deepEqual(a.calls, ['graceful']);
  assert.equal(a.signal()?.aborted, true);
  assert.equal(drain.signal.reason, 'test');
});

test('participants still running at the deadline are forced, and only they', async () => {
  const drain = new Drain({ deadlineMs: 20 });
  const quick = fake('finishes');
  const stuck1 = fake('hangs');
  const stuck2 = fake('hangs');
  drain.register('quick', quick.participant);
  drain.register('stuck1', stuck1.participant);
  drain.register('stuck2', stuck2.participant);
  const result = await drain.start('SIGTERM');
  assert.deepEqual(result.completed, ['quick']);
  assert.deepEqual(result.forced, ['stuck1', 'stuck2']);
  assert.deepEqual(quick.calls, ['graceful']);
  assert.deepEqual(stuck1.calls, ['graceful', 'force']);
});

test('a participant that rejects is reported as failed and forced; a throwing force is reported', async () => {
  const drain = new Drain({ deadlineMs: 20 });
  const bad = fake('rejects');
  const worse = fake('force-throws');
  drain.register('bad', bad.participant);
  drain.register('worse', worse.participant);
  const result = await drain.start('x');
  assert.deepEqual(bad.calls, ['graceful', 'force']);
  assert.deepEqual(result.failed, [
    { name: 'bad', error: 'listener close failed' },
    { name: 'worse', error: 'cannot force' },
  ]);
  assert.deepEqual(result.forced, ['worse']);
});

test('start is idempotent and an unregistered participant is not asked', async () => {
  const drain = new Drain({ deadlineMs: 20 });
  const gone = fake();
  const unregister = drain.register('gone', gone.participant);
  unregister();
  const first = drain.start('one');
  assert.equal(drain.start('two'), first);
  assert.deepEqual((await first).completed, []);
  assert.deepEqual(gone.calls, []);
  assert.equal(drain.started, true);
});

test('a participant that ends on its own during the drain counts as completed', async () => {
  const drain = new Drain({ deadlineMs: 60_000 });
  const conn = fake('hangs');
  const unregister = drain.register('conn', conn.participant);
  const result = drain.start('x');
  unregister();
  assert.deepEqual(await result, { reason: 'x', completed: ['conn'], forced: [], failed: [] });
  assert.deepEqual(conn.calls, ['graceful']);
});

test('late participants join a running drain; after it finished they are forced at once', async () => {
  const drain = new Drain({ deadlineMs: 20 });
  drain.register('stuck', fake('hangs').participant);
  const running = drain.start('x');
  const late = fake('hangs');
  drain.register('late', late.participant);
  const result = await running;
  assert.deepEqual(result.forced, ['stuck', 'late']);
  const after = fake();
  drain.register('after', after.participant);
  assert.deepEqual(after.calls, ['force']);
});

test('a bad deadline is refused', () => {
  assert.throws(() => new Drain({ deadlineMs: -1 }), /deadlineMs/);
  assert.throws(() => new Drain({ deadlineMs: Number.NaN }), /deadlineMs/);
});
