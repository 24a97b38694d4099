import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { runKeepalive } from './keepalive.ts';
import type { KeepalivePeer } from './keepalive.ts';

/** A peer whose PINGs are acked only while `answering` is true. */
function peer(answering: () => boolean) {
  const state = { pings: 0, destroyed: '' as string, closeListeners: [] as (() => void)[] };
  const p: KeepalivePeer = {
    isClosed: () => state.destroyed !== '',
    ping: () => {
      state.pings++;
      return answering() ? Promise.resolve() : new Promise<void>(() => {});
    },
    destroy: (reason) => {
      state.destroyed = reason;
      for (const l of state.closeListeners) l();
    },
    onClose: (l) => void state.closeListeners.push(l),
  };
  return { p, state };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

test('a peer that answers its PINGs is kept; one that stops answering is destroyed after the timeout', async () => {
  mock.timers.enable({ apis: ['setInterval', 'Date'] });
  try {
    let answering = true;
    const { p, state } = peer(() => answering);
    runKeepalive(p, { intervalMs: 10_000, timeoutMs: 20_000 });
    for (let i = 0; i < 5; i++) {
      mock.timers.tick(10_000);
      await flush();
    }
    assert.equal(state.pings, 5);
    assert.equal(state.destroyed, '');
    answering = false;
    mock.timers.tick(10_000); // PING sent, never acked
    await flush();
    mock.timers.tick(10_000); // 10 s outstanding: not yet
    assert.equal(state.destroyed, '');
    mock.timers.tick(10_000); // 20 s outstanding
    assert.match(state.destroyed, /no PING ack for 20000 ms/);
    const pings = state.pings;
    mock.timers.tick(30_000);
    assert.equal(state.pings, pings, 'the timer stopped with the session');
  } finally {
    mock.timers.reset();
  }
});

test('a PING that cannot be sent is not counted as outstanding', async () => {
  mock.timers.enable({ apis: ['setInterval', 'Date'] });
  try {
    const { p, state } = peer(() => true);
    let sendable = false;
    const inner = p.ping;
    p.ping = () => (sendable ? inner() : false);
    runKeepalive(p, { intervalMs: 1000, timeoutMs: 2000 });
    mock.timers.tick(5000);
    assert.equal(state.destroyed, '');
    sendable = true;
    mock.timers.tick(1000);
    await flush();
    assert.equal(state.pings, 1);
  } finally {
    mock.timers.reset();
  }
});
