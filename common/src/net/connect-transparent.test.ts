import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectTransparent, isTransparentRefused } from './connect-transparent.ts';
import { NetError, NetErrorCode } from './errors.ts';
import { listenInNetns } from './listen-in-netns.ts';
import { closeFd, openNetns } from './netns.ts';
import { withTimeout } from './netns-fixture.ts';
import { createPodNetns } from './pod-netns-fixture.ts';
import type { PodNetns } from './pod-netns-fixture.ts';

const POD_V4 = '10.244.1.5';
const POD_V6 = 'fd00:244:1::5';
const CLIENT_V4 = '10.244.2.9';
const CLIENT_V6 = 'fd00:244:2::9';

/** An app in the pod: answers each connection with "<remote address> <data>" and closes. */
async function startApp(nsFd: number, host: string): Promise<{ server: net.Server; port: number; peers: string[] }> {
  const server = await listenInNetns({ netnsFd: nsFd, host, port: 0 });
  const peers: string[] = [];
  server.on('connection', (s) => {
    peers.push(`${s.remoteAddress}`);
    s.on('error', () => {});
    s.once('data', (d) => s.end(`${s.remoteAddress} ${String(d)}`));
  });
  return { server, port: (server.address() as net.AddressInfo).port, peers };
}

/** Sends `msg` and collects the reply until the app closes. */
function exchange(sock: net.Socket, msg: string): Promise<string> {
  const reply = new Promise<string>((resolve, reject) => {
    let out = '';
    sock.on('data', (d: Buffer) => (out += String(d)));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
  sock.write(msg);
  return withTimeout(reply, 5000, 'reply from the app');
}

describe('connectTransparent (in a pod netns with the in-pod rules)', () => {
  let pod: PodNetns;
  let nsFd: number;
  const closers: Array<() => void> = [];

  before(() => {
    pod = createPodNetns('mtp', { podIp: POD_V4, podIp6: POD_V6 });
    nsFd = openNetns(pod.path);
  });
  after(() => {
    for (const c of closers) c();
    closeFd(nsFd);
    pod.delete();
  });

  it('the app sees the foreign client IPv4 address', async () => {
    const app = await startApp(nsFd, '0.0.0.0');
    closers.push(() => app.server.close());
    const sock = await connectTransparent(nsFd, { sourceIp: CLIENT_V4, host: POD_V4, port: app.port, timeoutMs: 5000 });
    closers.push(() => sock.destroy());
    assert.equal(sock.localAddress, CLIENT_V4);
    assert.equal(await exchange(sock, 'hello'), `${CLIENT_V4} hello`);
    assert.deepEqual(app.peers, [CLIENT_V4]);
  });

  it('the app sees the foreign client IPv6 address', async () => {
    const app = await startApp(nsFd, '::');
    closers.push(() => app.server.close());
    const sock = await connectTransparent(nsFd, { sourceIp: CLIENT_V6, host: POD_V6, port: app.port, timeoutMs: 5000 });
    closers.push(() => sock.destroy());
    assert.equal(await exchange(sock, 'v6'), `${CLIENT_V6} v6`);
  });

  it('opens 50 concurrent connections from the same client IP (kernel-picked source ports)', async () => {
    const app = await startApp(nsFd, '0.0.0.0');
    closers.push(() => app.server.close());
    const replies = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const sock = await connectTransparent(nsFd, { sourceIp: CLIENT_V4, host: POD_V4, port: app.port, timeoutMs: 5000 });
        closers.push(() => sock.destroy());
        return exchange(sock, `n${i}`);
      }),
    );
    assert.deepEqual(replies, Array.from({ length: 50 }, (_, i) => `${CLIENT_V4} n${i}`));
  });

  it('accepts an IPv4-mapped client address for an IPv4 app', async () => {
    const app = await startApp(nsFd, '0.0.0.0');
    closers.push(() => app.server.close());
    const sock = await connectTransparent(nsFd, { sourceIp: `::ffff:${CLIENT_V4}`, host: POD_V4, port: app.port, timeoutMs: 5000 });
    closers.push(() => sock.destroy());
    assert.equal(await exchange(sock, 'm'), `${CLIENT_V4} m`);
  });

  it('keeps ECONNREFUSED when nothing listens', async () => {
    const app = await startApp(nsFd, '0.0.0.0');
    await new Promise<void>((resolve) => app.server.close(() => resolve()));
    await assert.rejects(connectTransparent(nsFd, { sourceIp: CLIENT_V4, host: POD_V4, port: app.port, timeoutMs: 5000 }), {
      code: 'ECONNREFUSED',
    });
  });

  it('rejects bad options before touching the network', async () => {
    await assert.rejects(connectTransparent(nsFd, { sourceIp: CLIENT_V6, host: POD_V4, port: 80 }), /same IP family/);
    await assert.rejects(connectTransparent(nsFd, { sourceIp: CLIENT_V4, host: 'app.local', port: 80 }), {
      code: 'ERR_NET_BAD_OPTION',
      message: /host must be an IP literal/,
    });
    await assert.rejects(connectTransparent(nsFd, { sourceIp: '', host: POD_V4, port: 80 }), { code: 'ERR_NET_BAD_OPTION' });
    await assert.rejects(connectTransparent(-1, { sourceIp: CLIENT_V4, host: POD_V4, port: 80 }), { code: 'ERR_NET_BAD_OPTION' });
  });
});

describe('connectTransparent without the return path', () => {
  let pod: PodNetns;
  let nsFd: number;
  let server: net.Server | undefined;

  before(() => {
    pod = createPodNetns('mtn', { podIp: POD_V4, returnRoute: false });
    nsFd = openNetns(pod.path);
  });
  after(() => {
    server?.close();
    closeFd(nsFd);
    pod.delete();
  });

  it('times out (the SYN-ACK leaves by eth0) with an error naming the missing return path', async () => {
    const app = await startApp(nsFd, '0.0.0.0');
    server = app.server;
    await assert.rejects(connectTransparent(nsFd, { sourceIp: CLIENT_V4, host: POD_V4, port: app.port, timeoutMs: 300 }), (err: Error) => {
      assert.ok(err instanceof NetError);
      assert.equal(err.code, NetErrorCode.ConnectTimeout);
      assert.match(err.message, /from 10\.244\.2\.9 .*fwmark 0x111\/0xfff lookup 100/);
      return true;
    });
    assert.deepEqual(app.peers, [], 'the app never accepted the connection');
  });
});

describe('connectTransparent when the kernel refuses', () => {
  let pod: PodNetns;

  before(() => {
    pod = createPodNetns('mtr', { podIp: POD_V4 });
  });
  after(() => pod.delete());

  it('rejects with ERR_NET_TRANSPARENT_REFUSED without CAP_NET_ADMIN/CAP_NET_RAW, so the caller can fall back', async () => {
    // A child process whose capability bounding set lacks NET_ADMIN and NET_RAW (it keeps SYS_ADMIN for setns).
    const moduleUrl = new URL('./connect-transparent.ts', import.meta.url).href;
    const nsUrl = new URL('./netns.ts', import.meta.url).href;
    const script = [
      `const { connectTransparent, isTransparentRefused } = await import(${JSON.stringify(moduleUrl)});`,
      `const { openNetns } = await import(${JSON.stringify(nsUrl)});`,
      `const fd = openNetns(${JSON.stringify(pod.path)});`,
      `try { await connectTransparent(fd, { sourceIp: '${CLIENT_V4}', host: '${POD_V4}', port: 9, timeoutMs: 2000 });`,
      `  console.log(JSON.stringify({ ok: true })); }`,
      `catch (e) { console.log(JSON.stringify({ code: e.code, refused: isTransparentRefused(e), message: e.message, cause: e.cause?.code })); }`,
    ].join('\n');
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        'setpriv',
        ['--bounding-set', '-net_admin,-net_raw', '--inh-caps', '-net_admin,-net_raw', process.execPath, '--input-type=module', '-e', script],
        { encoding: 'utf8', timeout: 20_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    const result = JSON.parse(out.trim()) as { code?: string; refused?: boolean; message?: string; cause?: string };
    assert.equal(result.code, 'ERR_NET_TRANSPARENT_REFUSED', out);
    assert.equal(result.refused, true);
    assert.equal(result.cause, 'EPERM');
    assert.match(result.message ?? '', /refused a transparent socket from 10\.244\.2\.9 to 10\.244\.1\.5:9 .*IP_TRANSPARENT.*EPERM/);
  });

  it('isTransparentRefused is false for other errors', () => {
    assert.equal(isTransparentRefused(new Error('x')), false);
    assert.equal(isTransparentRefused(new NetError(NetErrorCode.ConnectTimeout, 'x')), false);
    assert.equal(isTransparentRefused(new NetError(NetErrorCode.TransparentRefused, 'x')), true);
  });
});
