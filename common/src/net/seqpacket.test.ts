import assert from 'node:assert/strict';
import { fstatSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeFd, isNetns, openNetns } from './netns.ts';
import { withTimeout } from './netns-fixture.ts';
import { SeqpacketServer } from './seqpacket-server.ts';
import { SeqpacketSocket } from './seqpacket-socket.ts';
import type { SeqpacketMessage, SeqpacketSocketOptions } from './seqpacket-socket.ts';
import { socketFd } from './socket-fd.ts';

/** Collects the next `n` messages. */
function messages(sock: SeqpacketSocket, n: number): Promise<SeqpacketMessage[]> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const got: SeqpacketMessage[] = [];
      sock.on('error', reject);
      sock.on('message', (m: SeqpacketMessage) => {
        got.push(m);
        if (got.length === n) resolve(got);
      });
    }),
    5000,
    `${n} messages`,
  );
}

function nextError(sock: SeqpacketSocket): Promise<Error & { code?: string }> {
  return withTimeout(new Promise((resolve) => sock.once('error', resolve)), 5000, 'error event');
}

describe('SEQPACKET sockets', () => {
  let dir: string;
  let n = 0;
  const closers: Array<() => void> = [];

  /** A connected (client, server-side) pair on a fresh path. */
  async function pair(serverSideOpts: SeqpacketSocketOptions = {}): Promise<[SeqpacketSocket, SeqpacketSocket]> {
    const server = SeqpacketServer.listen(join(dir, `s${n++}.sock`), { socketOptions: serverSideOpts });
    closers.push(() => server.close());
    const accepted = withTimeout(new Promise<SeqpacketSocket>((resolve) => server.once('connection', resolve)), 5000, 'accept');
    const client = SeqpacketSocket.connect(server.path);
    closers.push(() => client.close());
    const peer = await accepted;
    closers.push(() => peer.close());
    return [client, peer];
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mesh-seqpacket-'));
  });
  after(() => {
    for (const c of closers) c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps message boundaries and payloads intact, in order, both ways', async () => {
    const [client, peer] = await pair();
    const sizes = [1, 1000, 0, 70, 3];
    const got = messages(peer, sizes.length);
    for (const [i, size] of sizes.entries()) await client.send(Buffer.alloc(size, 65 + i));
    const received = await got;
    assert.deepEqual(received.map((m) => m.data), sizes.map((size, i) => Buffer.alloc(size, 65 + i)));
    assert.deepEqual(received.map((m) => m.fds), sizes.map(() => []));

    const back = messages(client, 1);
    await peer.send(Buffer.from('ack'));
    assert.equal((await back)[0]?.data.toString(), 'ack');
  });

  it('passes a netns fd: the receiver gets a new fd that is a netns, payload intact', async () => {
    const [client, peer] = await pair({ maxMessageSize: 1024 });
    const nsFd = openNetns('/proc/self/ns/net');
    const got = messages(peer, 1);
    try {
      await client.send(Buffer.from('add pod-1'), [nsFd]);
    } finally {
      closeFd(nsFd);
    }
    const [msg] = await got;
    assert.ok(msg);
    assert.equal(msg.data.toString(), 'add pod-1');
    assert.equal(msg.fds.length, 1);
    const [received] = msg.fds;
    assert.ok(received !== undefined);
    assert.equal(isNetns(received), true);
    assert.equal(fstatSync(received).ino, statSync('/proc/self/ns/net').ino, 'same namespace as the one sent');
    closeFd(received);
  });

  it('passes a TCP socket fd that the receiver adopts and uses', async () => {
    const [client, peer] = await pair();
    const tcpServer = net.createServer((s) => s.end('hello over a passed fd'));
    closers.push(() => tcpServer.close());
    await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve));
    const tcp = net.connect((tcpServer.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => tcp.once('connect', resolve).once('error', reject));
    tcp.pause();

    const got = messages(peer, 1);
    await client.send(Buffer.from('socket'), [socketFd(tcp)]);
    tcp.destroy();
    const [msg] = await got;
    const fd = msg?.fds[0];
    assert.ok(fd !== undefined);
    const adopted = new net.Socket({ fd, readable: true, writable: true });
    const text = await withTimeout(
      new Promise<string>((resolve, reject) => {
        let s = '';
        adopted.on('data', (d: Buffer) => (s += d.toString()));
        adopted.on('end', () => resolve(s));
        adopted.on('error', reject);
      }),
      5000,
      'read through adopted socket',
    );
    adopted.destroy();
    assert.equal(text, 'hello over a passed fd');
  });

  it('reports a datagram larger than the buffer as MSG_TRUNC and closes', async () => {
    const [client, peer] = await pair({ maxMessageSize: 1024 });
    const err = nextError(peer);
    const closed = new Promise((resolve) => peer.once('close', resolve));
    await client.send(Buffer.alloc(2000, 1));
    const e = await err;
    assert.equal(e.code, 'EMSGSIZE');
    assert.equal(e.message, 'recvmsg failed: MSG_TRUNC: datagram of 2000 bytes exceeds the 1024-byte buffer');
    await closed;
    assert.equal(peer.closed, true);
  });

  it('reports more fds than allowed as MSG_CTRUNC', async () => {
    const [client, peer] = await pair({ maxFds: 1 });
    const a = openNetns('/proc/self/ns/net');
    const b = openNetns('/proc/self/ns/net');
    const err = nextError(peer);
    try {
      await client.send(Buffer.from('two fds'), [a, b]);
    } finally {
      closeFd(a);
      closeFd(b);
    }
    const e = await err;
    assert.equal(e.code, 'EMSGSIZE');
    assert.match(e.message, /MSG_CTRUNC/);
  });

  it('ends with close (no error) when the peer closes, and later sends are rejected', async () => {
    const [client, peer] = await pair();
    let errored = false;
    peer.on('error', () => (errored = true));
    const closed = withTimeout(new Promise((resolve) => peer.once('close', resolve)), 5000, 'close');
    client.close();
    await closed;
    assert.equal(errored, false);
    await assert.rejects(peer.send(Buffer.from('late')), { code: 'ERR_NET_CLOSED' });
  });

  it('names the path when nothing listens there', () => {
    const path = join(dir, 'nobody.sock');
    assert.throws(() => SeqpacketSocket.connect(path), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ENOENT');
      assert.equal(err.message, `connect(${path}) failed: ENOENT (No such file or directory)`);
      return true;
    });
  });

  it('sends many messages quickly without losing or merging any', async () => {
    const [client, peer] = await pair();
    const count = 2000;
    const got = messages(peer, count);
    await Promise.all(Array.from({ length: count }, (_, i) => client.send(Buffer.from(`m${i}`))));
    const received = await got;
    assert.deepEqual(received.map((m) => m.data.toString()), Array.from({ length: count }, (_, i) => `m${i}`));
  });
});
