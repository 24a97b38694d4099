import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectInNetns } from './connect-in-netns.ts';
import { listenInNetns } from './listen-in-netns.ts';
import { getNoDelay } from './socket-options.ts';
import { closeFd, openNetns } from './netns.ts';
import { createTestNetns } from './netns-fixture.ts';
import type { TestNetns } from './netns-fixture.ts';

describe('connectInNetns', () => {
  let ns: TestNetns;
  let nsFd: number;
  const closers: Array<() => void> = [];

  before(() => {
    ns = createTestNetns('mnc');
    nsFd = openNetns(ns.path);
  });
  after(() => {
    for (const c of closers) c();
    closeFd(nsFd);
    ns.delete();
  });

  it('sets TCP_NODELAY by default, and leaves it off when asked (noDelay: false)', async () => {
    const server = await listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port: 0, serverOptions: { noDelay: true } });
    const accepted: net.Socket[] = [];
    server.on('connection', (s) => accepted.push(s));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const on = await connectInNetns({ netnsFd: nsFd, host: '127.0.0.1', port });
      const off = await connectInNetns({ netnsFd: nsFd, host: '127.0.0.1', port, noDelay: false });
      assert.equal(getNoDelay(on), true);
      assert.equal(getNoDelay(off), false);
      on.destroy();
      off.destroy();
      // The listener's noDelay option reaches the accepted sockets too.
      await new Promise<void>((resolve) => (accepted.length === 2 ? resolve() : server.on('connection', () => accepted.length === 2 && resolve())));
      for (const s of accepted) {
        assert.equal(getNoDelay(s), true);
        s.destroy();
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('surfaces ECONNREFUSED for a closed port', async () => {
    // Take a port and release it, so nothing listens there inside the netns.
    const s = await listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port: 0 });
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    await assert.rejects(connectInNetns({ netnsFd: nsFd, host: '127.0.0.1', port }), (err: Error & { code?: string; syscall?: string }) => {
      assert.equal(err.code, 'ECONNREFUSED');
      assert.equal(err.syscall, 'connect');
      assert.match(err.message, /connect failed: ECONNREFUSED/);
      return true;
    });
  });

  it('fails at once with ENETUNREACH when the netns has no route', async () => {
    await assert.rejects(connectInNetns({ netnsFd: nsFd, host: '198.51.100.7', port: 80 }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ENETUNREACH');
      assert.match(err.message, /^connect\(198\.51\.100\.7:80\) failed: ENETUNREACH/);
      return true;
    });
  });

  it('times out with ERR_NET_CONNECT_TIMEOUT when nobody answers', async () => {
    // Dropped SYNs leave the connect pending (a blackhole route would fail fast instead).
    ns.exec('iptables', '-A', 'OUTPUT', '-p', 'tcp', '-d', '127.0.0.9', '--dport', '7', '-j', 'DROP');
    await assert.rejects(connectInNetns({ netnsFd: nsFd, host: '127.0.0.9', port: 7, timeoutMs: 200 }), {
      code: 'ERR_NET_CONNECT_TIMEOUT',
    });
  });

  it('can be aborted', async () => {
    const ac = new AbortController();
    const p = connectInNetns({ netnsFd: nsFd, host: '127.0.0.9', port: 7, signal: ac.signal });
    ac.abort();
    await assert.rejects(p, { code: 'ERR_NET_ABORTED' });
  });

  it('binds the requested local address and port, and the peer sees them', async () => {
    const server = await listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port: 0 });
    closers.push(() => server.close());
    const seen = new Promise<string>((resolve) => server.once('connection', (s) => {
      resolve(`${s.remoteAddress}`);
      s.destroy();
    }));
    const port = (server.address() as net.AddressInfo).port;
    const c = await connectInNetns({ netnsFd: nsFd, host: '127.0.0.1', port, localHost: '127.0.0.42' });
    closers.push(() => c.destroy());
    assert.equal(c.localAddress, '127.0.0.42');
    assert.equal(await seen, '127.0.0.42');
  });

  it('rejects bad options before touching the network', async () => {
    await assert.rejects(connectInNetns({ host: '127.0.0.1', port: 0 }), { code: 'ERR_NET_BAD_OPTION' });
    await assert.rejects(connectInNetns({ host: '127.0.0.1', port: 80, mark: -1 }), { code: 'ERR_NET_BAD_OPTION' });
    await assert.rejects(connectInNetns({ host: '127.0.0.1', port: 80, localHost: '::1' }), /same IP family/);
  });
});
