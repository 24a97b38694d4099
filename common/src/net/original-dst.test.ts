import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectInNetns } from './connect-in-netns.ts';
import { listenInNetns } from './listen-in-netns.ts';
import { closeFd, openNetns } from './netns.ts';
import { createTestNetns, withTimeout } from './netns-fixture.ts';
import type { TestNetns } from './netns-fixture.ts';
import { originalDst } from './socket-options.ts';

const POD_V4 = '10.250.0.1';
const POD_V6 = 'fd00:250::1';
const DIALLED_PORT = 9999;

/** The next connection the server accepts. */
function nextConnection(server: net.Server): Promise<net.Socket> {
  return withTimeout(new Promise((resolve) => server.once('connection', resolve)), 5000, 'accept');
}

describe('originalDst after iptables REDIRECT', () => {
  let ns: TestNetns;
  let nsFd: number;
  const closers: Array<() => void> = [];

  before(() => {
    ns = createTestNetns('mod');
    nsFd = openNetns(ns.path);
    // A veth end gives the netns real (non-loopback) addresses to dial, like a pod's eth0; nodad makes the
    // IPv6 one usable at once.
    ns.exec('ip', 'link', 'add', 'pod0', 'type', 'veth', 'peer', 'name', 'peer0');
    ns.exec('ip', 'link', 'set', 'peer0', 'up');
    ns.exec('ip', 'addr', 'add', `${POD_V4}/24`, 'dev', 'pod0');
    ns.exec('ip', '-6', 'addr', 'add', `${POD_V6}/64`, 'dev', 'pod0', 'nodad');
    ns.exec('ip', 'link', 'set', 'pod0', 'up');
  });
  after(() => {
    for (const c of closers) c();
    closeFd(nsFd);
    ns.delete();
  });

  async function redirectedConnection(family: 4 | 6, listenHost: string): Promise<net.Socket> {
    const server = await listenInNetns({ netnsFd: nsFd, host: listenHost, port: 0, ipv6Only: family === 6 ? true : undefined });
    closers.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    const target = family === 4 ? POD_V4 : POD_V6;
    const tool = family === 4 ? 'iptables' : 'ip6tables';
    ns.exec(tool, '-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-d', target, '--dport', String(DIALLED_PORT), '-j', 'REDIRECT', '--to-ports', String(port));
    const accepted = nextConnection(server);
    const client = await connectInNetns({ netnsFd: nsFd, host: target, port: DIALLED_PORT });
    closers.push(() => client.destroy());
    const sock = await accepted;
    closers.push(() => sock.destroy());
    assert.equal(sock.localPort, port, 'the connection really was redirected to the listener');
    return sock;
  }

  it('returns the IPv4 address:port the client dialled', async () => {
    const sock = await redirectedConnection(4, '0.0.0.0');
    assert.deepEqual(originalDst(sock), { address: POD_V4, port: DIALLED_PORT, family: 'IPv4' });
  });

  it('returns the IPv6 address:port the client dialled (IP6T_SO_ORIGINAL_DST)', async () => {
    const sock = await redirectedConnection(6, '::');
    assert.deepEqual(originalDst(sock), { address: POD_V6, port: DIALLED_PORT, family: 'IPv6' });
  });

  it('returns the local address for a connection that was not redirected', async () => {
    const server = await listenInNetns({ netnsFd: nsFd, host: '0.0.0.0', port: 0 });
    closers.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    const accepted = nextConnection(server);
    const client = await connectInNetns({ netnsFd: nsFd, host: POD_V4, port });
    closers.push(() => client.destroy());
    const sock = await accepted;
    closers.push(() => sock.destroy());
    assert.deepEqual(originalDst(sock), { address: POD_V4, port, family: 'IPv4' });
  });

  it('fails with a clear error on an fd that is not a socket', () => {
    assert.throws(() => originalDst(nsFd), (err: Error & { code?: string }) => {
      assert.match(err.message, /getsockopt\(SO_ORIGINAL_DST\) failed: ENOTSOCK/);
      assert.equal(err.code, 'ENOTSOCK');
      return true;
    });
  });
});
