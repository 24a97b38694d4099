import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectInNetns } from './connect-in-netns.ts';
import { listenInNetns } from './listen-in-netns.ts';
import { native } from './native.ts';
import { closeFd, openNetns } from './netns.ts';
import { createTestNetns } from './netns-fixture.ts';
import type { TestNetns } from './netns-fixture.ts';
import { getMark, setFreebind, setMark, setTransparent } from './socket-options.ts';

describe('socket options', () => {
  let ns: TestNetns;
  let nsFd: number;
  const closers: Array<() => void> = [];

  before(() => {
    ns = createTestNetns('mso');
    nsFd = openNetns(ns.path);
  });
  after(() => {
    for (const c of closers) c();
    closeFd(nsFd);
    ns.delete();
  });

  it('sets SO_MARK at creation and reads it back; setMark changes it', async () => {
    const server = await listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port: 0, mark: 1337 });
    closers.push(() => server.close());
    assert.equal(getMark(server), 1337);
    const port = (server.address() as net.AddressInfo).port;
    const client = await connectInNetns({ netnsFd: nsFd, host: '127.0.0.1', port, mark: 0x539 });
    closers.push(() => client.destroy());
    assert.equal(getMark(client), 0x539);
    setMark(client, 0xffffffff);
    assert.equal(getMark(client), 0xffffffff);
  });

  it('marks are visible to netfilter: a mark-matching rule drops only the marked connection', async () => {
    const server = await listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port: 0 });
    closers.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    ns.exec('iptables', '-A', 'OUTPUT', '-p', 'tcp', '--dport', String(port), '-m', 'mark', '--mark', '0x77', '-j', 'REJECT', '--reject-with', 'tcp-reset');
    await assert.rejects(connectInNetns({ netnsFd: nsFd, host: '127.0.0.1', port, mark: 0x77 }), { code: 'ECONNREFUSED' });
    const ok = await connectInNetns({ netnsFd: nsFd, host: '127.0.0.1', port, mark: 0x78 });
    closers.push(() => ok.destroy());
  });

  it('freebind allows binding an address the netns does not have; without it bind fails', async () => {
    await assert.rejects(listenInNetns({ netnsFd: nsFd, host: '203.0.113.5', port: 0 }), { code: 'EADDRNOTAVAIL' });
    const server = await listenInNetns({ netnsFd: nsFd, host: '203.0.113.5', port: 0, freebind: true });
    closers.push(() => server.close());
    assert.equal((server.address() as net.AddressInfo).address, '203.0.113.5');
  });

  it('transparent allows binding a non-local address (IPv4 and IPv6)', async () => {
    for (const host of ['203.0.113.6', '2001:db8::6']) {
      const server = await listenInNetns({ netnsFd: nsFd, host, port: 0, transparent: true });
      closers.push(() => server.close());
      assert.equal((server.address() as net.AddressInfo).address, host);
    }
  });

  it('setTransparent / setFreebind work on an existing socket', async () => {
    const server = await listenInNetns({ netnsFd: nsFd, host: '::1', port: 0 });
    closers.push(() => server.close());
    setTransparent(server, true);
    setFreebind(server, true);
    setTransparent(server, false);
  });

  it('names the option and errno on a non-socket, and range-checks the mark', () => {
    assert.throws(() => setMark(nsFd, 1), (err: Error & { code?: string }) => {
      assert.equal(err.message, 'setsockopt(SO_MARK) failed: ENOTSOCK (Socket operation on non-socket)');
      assert.equal(err.code, 'ENOTSOCK');
      return true;
    });
    assert.throws(() => setMark(nsFd, 2 ** 32), { code: 'ERR_NET_BAD_OPTION' });
    assert.throws(() => native().setMark(nsFd, 1.5), RangeError);
    assert.throws(() => getMark(new net.Socket()), { code: 'ERR_NET_NO_FD' });
  });
});
