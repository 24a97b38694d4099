import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { SessionPool } from './session-pool.ts';

interface Fake {
  readonly n: number;
  closed: '' | 'graceful' | 'force';
  retire?: () => void;
  setLimit?: (n: number) => void;
}

function fakePool(opts: { maxStreamsPerSession?: number; idleMs?: number } = {}) {
  let dialled = 0;
  const sessions: Fake[] = [];
  const pool = new SessionPool<Fake>(
    {
      started: (s, retire, setLimit) => {
        s.retire = retire;
        s.setLimit = setLimit;
      },
      close: async (s, force) => void (s.closed = force ? 'force' : 'graceful'),
    },
    opts,
  );
  const dial = async () => {
    const s: Fake = { n: ++dialled, closed: '' };
    sessions.push(s);
    return s;
  };
  return { pool, dial, sessions };
}

test('shares a session up to the stream limit, which the peer may lower, then opens another', async () => {
  const { pool, dial, sessions } = fakePool({ maxStreamsPerSession: 2 });
  const a = pool.reserve('k', dial);
  const b = pool.reserve('k', dial);
  assert.equal(await a.session, await b.session);
  const c = pool.reserve('k', dial);
  assert.notEqual(await c.session, await a.session);
  assert.deepEqual(pool.stats(), { sessions: 2, streams: 3 });
  sessions[1]!.setLimit!(1); // the peer allows one stream: the second session is full
  const d = pool.reserve('k', dial);
  assert.equal((await d.session).n, 3);
  assert.equal((await pool.reserve('other', dial).session).n, 4, 'keys never share');
});

test('a retired session takes no new streams and closes when its last stream ends', async () => {
  const { pool, dial, sessions } = fakePool();
  const a = pool.reserve('k', dial);
  await a.session;
  sessions[0]!.retire!();
  const b = pool.reserve('k', dial);
  assert.equal((await b.session).n, 2);
  pool.release(a);
  await new Promise((r) => setImmediate(r));
  assert.equal(sessions[0]!.closed, 'graceful');
  assert.equal(sessions[1]!.closed, '');
});

test('an idle session closes after idleMs, unless a stream comes first', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { pool, dial, sessions } = fakePool({ idleMs: 1000 });
    const a = pool.reserve('k', dial);
    await a.session;
    pool.release(a);
    mock.timers.tick(500);
    const b = pool.reserve('k', dial);
    assert.equal((await b.session).n, 1, 'the idle session is reused');
    pool.release(b);
    mock.timers.tick(1000);
    await new Promise((r) => setImmediate(r));
    assert.equal(sessions[0]!.closed, 'graceful');
    assert.deepEqual(pool.stats(), { sessions: 0, streams: 0 });
  } finally {
    mock.timers.reset();
  }
});

test('a failed dial is not kept, and close() ends every session and refuses new ones', async () => {
  const { pool, dial, sessions } = fakePool();
  const failed = pool.reserve('k', () => Promise.reject(new Error('refused')));
  await assert.rejects(failed.session, /refused/);
  pool.release(failed);
  assert.equal(pool.stats().sessions, 0);
  await pool.reserve('k', dial).session;
  await pool.close({ force: true });
  assert.equal(sessions[0]!.closed, 'force');
  assert.throws(() => pool.reserve('k', dial), /pool is closed/);
});

test('acquire() hands out the session, or turns a failed dial into ERR_HBONE_SESSION and gives the stream back', async () => {
  const { pool, dial } = fakePool();
  const ok = await pool.acquire('k', dial);
  assert.equal(ok.session.n, 1);
  await assert.rejects(pool.acquire('other', () => Promise.reject(new Error('refused'))), (err: Error & { code?: string }) => err.code === 'ERR_HBONE_SESSION' && /HBONE connection failed: refused/.test(err.message));
  assert.deepEqual(pool.stats(), { sessions: 1, streams: 1 });
});
