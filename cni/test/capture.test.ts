// The in-pod rules do what they claim, with real packets (upstream's iptables_e2e test): a "pod" netns with the
// rules and a "peer" netns linked by a veth. Outbound app TCP lands on 15001 with its original destination,
// inbound TCP on 15006 except HBONE (15008), and ztunnel's marked sockets bypass capture.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { closeFd, connectInNetns, listenInNetns, openNetns, originalDst } from '@mesh/common/net';
import { DEFAULT_REDIRECT_CONFIG } from '../src/rules/index.ts';
import { applyRedirection } from '../src/agent/redirection.ts';

const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
const POD = `cnicap-pod-${id}`;
const PEER = `cnicap-peer-${id}`;
const NET = `10.252.${randomInt(1, 250)}`;
const POD_IP = `${NET}.5`;
const PEER_IP = `${NET}.9`;
const fds: number[] = [];
const servers: Server[] = [];
const sockets: Socket[] = [];
let podFd = -1;
let peerFd = -1;

const ipns = (ns: string, ...a: string[]): string => execFileSync('ip', ['netns', 'exec', ns, ...a], { encoding: 'utf8' });

/** A listener recording, per accepted connection, the original destination the kernel reports. */
async function recorder(netnsFd: number, port: number, host = '0.0.0.0'): Promise<{ seen: string[] }> {
  const seen: string[] = [];
  const server = await listenInNetns({ netnsFd, host, port });
  server.on('connection', (s: Socket) => {
    sockets.push(s);
    let dst: string;
    try {
      const d = originalDst(s, { fallbackToLocal: true });
      dst = `${d.address}:${d.port}`;
    } catch (err) {
      dst = `error ${(err as Error).message}`;
    }
    seen.push(dst);
    s.end();
  });
  servers.push(server);
  return { seen };
}

async function dial(netnsFd: number, host: string, port: number, mark?: number): Promise<void> {
  const s = await connectInNetns({ netnsFd, host, port, ...(mark !== undefined ? { mark } : {}) });
  sockets.push(s);
  await new Promise<void>((resolve) => {
    s.on('close', () => resolve());
    s.on('error', () => resolve());
    s.resume();
  });
}

before(async () => {
  execFileSync('ip', ['netns', 'add', POD]);
  execFileSync('ip', ['netns', 'add', PEER]);
  ipns(POD, 'ip', 'link', 'set', 'lo', 'up');
  ipns(PEER, 'ip', 'link', 'set', 'lo', 'up');
  ipns(POD, 'ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', PEER);
  ipns(POD, 'ip', 'addr', 'add', `${POD_IP}/24`, 'dev', 'eth0');
  ipns(PEER, 'ip', 'addr', 'add', `${PEER_IP}/24`, 'dev', 'eth0');
  ipns(POD, 'ip', 'link', 'set', 'eth0', 'up');
  ipns(PEER, 'ip', 'link', 'set', 'eth0', 'up');
  await applyRedirection(`/run/netns/${POD}`, { ...DEFAULT_REDIRECT_CONFIG, redirectDNS: false }, {}, [4]);
  podFd = openNetns(`/run/netns/${POD}`);
  peerFd = openNetns(`/run/netns/${PEER}`);
  fds.push(podFd, peerFd);
});

after(() => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  for (const fd of fds) closeFd(fd);
  for (const ns of [POD, PEER]) {
    try {
      execFileSync('ip', ['netns', 'del', ns]);
    } catch {
      // already gone
    }
  }
});

describe('in-pod capture with real packets', () => {
  it('outbound app TCP goes to 15001 with its original destination; marked sockets bypass', async () => {
    const outbound = await recorder(podFd, 15001);
    const peer = await recorder(peerFd, 80, PEER_IP);
    await dial(podFd, PEER_IP, 80);
    assert.deepEqual(outbound.seen, [`${PEER_IP}:80`]);
    assert.deepEqual(peer.seen, []);
    await dial(podFd, PEER_IP, 80, 0x539);
    assert.equal(outbound.seen.length, 1, 'a socket with mark 0x539 is not redirected');
    assert.equal(peer.seen.length, 1);
  });

  it('inbound TCP goes to 15006 except HBONE on 15008', async () => {
    const inbound = await recorder(podFd, 15006);
    const hbone = await recorder(podFd, 15008);
    const app = await recorder(podFd, 8080);
    await dial(peerFd, POD_IP, 8080);
    assert.deepEqual(inbound.seen, [`${POD_IP}:8080`]);
    assert.deepEqual(app.seen, []);
    await dial(peerFd, POD_IP, 15008);
    assert.equal(hbone.seen.length, 1);
    assert.equal(inbound.seen.length, 1);
  });

  it('a spoofed-source connection from ztunnel to the app gets its replies back (fwmark 0x111 → table 100)', async () => {
    const peerSeen: string[] = [];
    const app = await listenInNetns({ netnsFd: podFd, host: '0.0.0.0', port: 9090 });
    servers.push(app);
    app.on('connection', (s: Socket) => {
      sockets.push(s);
      peerSeen.push(String(s.remoteAddress));
      s.end('hello');
    });
    const s = await connectInNetns({ netnsFd: podFd, host: POD_IP, port: 9090, localHost: PEER_IP, transparent: true, mark: 0x539 });
    sockets.push(s);
    const got = await new Promise<string>((resolve, reject) => {
      let text = '';
      s.on('data', (c: Buffer) => (text += c.toString()));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    assert.equal(got, 'hello');
    assert.deepEqual(peerSeen, [PEER_IP], 'the app sees the original client address');
  });
});
