import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectInNetns } from './connect-in-netns.ts';
import { listenInNetns } from './listen-in-netns.ts';
import { closeFd, openNetns } from './netns.ts';
import { createTestNetns, withTimeout } from './netns-fixture.ts';
import type { TestNetns } from './netns-fixture.ts';

/** A port free on the host's 127.0.0.1 right now. */
async function freeHostPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function echoOnce(server: net.Server): void {
  server.on('connection', (sock) => sock.pipe(sock));
}

/** Writes `text`, reads the same number of bytes back. */
async function roundTrip(sock: net.Socket, text: string): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve, reject) => {
      let got = '';
      sock.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.length >= text.length) resolve(got);
      });
      sock.on('error', reject);
      sock.write(text);
    }),
    5000,
    'echo round trip',
  );
}

function hostConnect(port: number, host: string): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      const s = net.connect(port, host);
      s.on('connect', () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    }),
    5000,
    'host connect',
  );
}

describe('listenInNetns', () => {
  let ns: TestNetns;
  let nsFd: number;
  const closers: Array<() => void> = [];

  before(() => {
    ns = createTestNetns('mnl');
    nsFd = openNetns(ns.path);
  });
  after(() => {
    for (const c of closers) c();
    closeFd(nsFd);
    ns.delete();
  });

  it('accepts connections inside the pod netns and not from the host netns', async () => {
    const homeBefore = readlinkSync('/proc/thread-self/ns/net');
    const port = await freeHostPort();
    const server = await listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port });
    closers.push(() => server.close());
    echoOnce(server);
    assert.equal(readlinkSync('/proc/thread-self/ns/net'), homeBefore, 'thread is back in its own netns');
    assert.equal((server.address() as net.AddressInfo).port, port);

    const client = await connectInNetns({ netnsFd: nsFd, host: '127.0.0.1', port });
    closers.push(() => client.destroy());
    assert.equal(await roundTrip(client, 'hello pod'), 'hello pod');

    await assert.rejects(hostConnect(port, '127.0.0.1'), { code: 'ECONNREFUSED' });
  });

  it('is reachable from a process running in the netns (ip netns exec)', async () => {
    const server = await listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port: 0 });
    closers.push(() => server.close());
    server.on('connection', (s) => s.end('from-node\n'));
    const port = (server.address() as net.AddressInfo).port;
    // bash's /dev/tcp connects from inside the netns; the listener answers.
    const out = await ns.execAsync('timeout', '5', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}; cat <&3`);
    assert.equal(out, 'from-node\n');
  });

  it('listens dual-stack on :: and serves IPv4 and IPv6 clients', async () => {
    const server = await listenInNetns({ netnsFd: nsFd, host: '::', port: 0, ipv6Only: false, reusePort: true });
    closers.push(() => server.close());
    echoOnce(server);
    const port = (server.address() as net.AddressInfo).port;
    for (const host of ['127.0.0.1', '::1']) {
      const c = await connectInNetns({ netnsFd: nsFd, host, port });
      closers.push(() => c.destroy());
      assert.equal(await roundTrip(c, `via ${host}`), `via ${host}`);
    }
  });

  it('two listeners can share a port with reusePort', async () => {
    const a = await listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port: 0, reusePort: true });
    closers.push(() => a.close());
    const port = (a.address() as net.AddressInfo).port;
    const b = await listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port, reusePort: true });
    closers.push(() => b.close());
    assert.equal((b.address() as net.AddressInfo).port, port);
  });

  it('reports EADDRINUSE naming the address when the port is taken', async () => {
    const a = await listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port: 0 });
    closers.push(() => a.close());
    const port = (a.address() as net.AddressInfo).port;
    await assert.rejects(listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'EADDRINUSE');
      assert.match(err.message, new RegExp(`bind\\(127\\.0\\.0\\.1:${port}\\) failed: EADDRINUSE`));
      return true;
    });
  });

  it('rejects a host name: only IP literals are accepted', async () => {
    await assert.rejects(listenInNetns({ netnsFd: nsFd, host: 'localhost', port: 0 }), /must be an IPv4 or IPv6 literal, got 'localhost'/);
    await assert.rejects(listenInNetns({ netnsFd: nsFd, host: '127.0.0.1', port: 70000 }), { code: 'ERR_NET_BAD_OPTION' });
  });
});
