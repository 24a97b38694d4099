// The ambient/echo app against itself on loopback: HTTP/1.1, h2c, gRPC and TCP on one server, the answer lines,
// the peer address it reports, request controls, and draining.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as http1Request } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { EchoServer } from '../src/local/images/echo/echo-server.ts';
import { loadEchoService, type EchoMessage } from '../src/local/images/echo/echo-proto.ts';
import { parsePorts } from '../src/local/images/echo/ports.ts';

const HOST = '127.0.0.1';
/** A second loopback address: the client binds it so the IP line must show the real peer, not the listen address. */
const CLIENT_IP = '127.0.0.2';
const TIMEOUT_MS = 10_000;

interface HttpAnswer {
  readonly status: number;
  readonly lines: string[];
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

function http1Get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http1Request({ host: HOST, port, path, headers, localAddress: CLIENT_IP, agent: false, timeout: TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, lines: lines(body) }));
    });
    req.on('timeout', () => req.destroy(new Error('HTTP/1.1 request timed out')));
    req.on('error', reject);
    req.end();
  });
}

function http2Get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`http://${HOST}:${port}`, { localAddress: CLIENT_IP } as never);
    session.on('error', reject);
    const timer = setTimeout(() => session.destroy(new Error('h2c request timed out')), TIMEOUT_MS);
    const stream = session.request({ ':path': path, ...headers });
    let status = 0;
    let body = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (c: string) => (body += c));
    stream.on('error', reject);
    stream.on('end', () => {
      clearTimeout(timer);
      session.close();
      resolve({ status, lines: lines(body) });
    });
  });
}

describe('ambient/echo server', () => {
  let server: EchoServer;
  let httpPort: number;
  let grpcPort: number;
  let tcpPort: number;

  before(async () => {
    server = await EchoServer.start({ ports: parsePorts('0:http,0:grpc,0:tcp'), host: HOST, serviceVersion: 'v7', hostname: 'echo-pod' });
    httpPort = server.portOf('http');
    grpcPort = server.portOf('grpc');
    tcpPort = server.portOf('tcp');
  });
  after(() => server.close(2_000));

  it('answers HTTP/1.1 with the echo lines, one RequestHeader line per header, and the peer address', async () => {
    const a = await http1Get(httpPort, '/hello?x=1', { 'X-Request-Id': 'abc', 'x-multi': 'one' });
    assert.equal(a.status, 200);
    assert.deepEqual(a.lines.slice(0, 9), [
      'ServiceVersion=v7',
      `ServicePort=${httpPort}`,
      `Host=${HOST}:${httpPort}`,
      'Hostname=echo-pod',
      `IP=${CLIENT_IP}`,
      'Method=GET',
      'URL=/hello?x=1',
      'Proto=HTTP/1.1',
      'StatusCode=200',
    ]);
    assert.ok(a.lines.includes('RequestHeader=X-Request-Id:abc'), a.lines.join('\n'));
    assert.ok(a.lines.includes('RequestHeader=X-Multi:one'));
    assert.ok(a.lines.includes(`RequestHeader=Host:${HOST}:${httpPort}`));
  });

  it('answers h2c (HTTP/2 prior knowledge) on the same port', async () => {
    const a = await http2Get(httpPort, '/two', { 'x-h2': 'yes' });
    assert.equal(a.status, 200);
    assert.ok(a.lines.includes('Proto=HTTP/2.0'), a.lines.join('\n'));
    assert.ok(a.lines.includes(`Host=${HOST}:${httpPort}`));
    assert.ok(a.lines.includes(`IP=${CLIENT_IP}`));
    assert.ok(a.lines.includes('URL=/two'));
    assert.ok(a.lines.includes('RequestHeader=X-H2:yes'));
    assert.ok(!a.lines.some((l) => l.startsWith('RequestHeader=:')), 'no pseudo-headers');
  });

  it('honours ?status= and /delay/<ms>, and answers 400 to a bad control', async () => {
    const s = await http1Get(httpPort, '/?status=503');
    assert.equal(s.status, 503);
    assert.ok(s.lines.includes('StatusCode=503'));
    const d = await http2Get(httpPort, '/delay/50');
    assert.equal(d.status, 200);
    const bad = await http1Get(httpPort, '/?status=nope');
    assert.equal(bad.status, 400);
    assert.match(bad.lines[0] ?? '', /status=nope/);
  });

  it('answers gRPC Echo with the same lines and the message', async () => {
    const { Client } = loadEchoService();
    const client = new Client(`${HOST}:${grpcPort}`, grpc.credentials.createInsecure(), { 'grpc.primary_user_agent': 'echo-test' });
    try {
      const md = new grpc.Metadata();
      md.set('x-caller', 'test');
      const res = await new Promise<EchoMessage>((resolve, reject) => {
        const echo = client['Echo'] as (r: EchoMessage, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: Error | null, r?: EchoMessage) => void) => void;
        echo.call(client, { message: 'ping' }, md, { deadline: Date.now() + TIMEOUT_MS }, (err, r) => (err ? reject(err) : resolve(r!)));
      });
      const l = lines(res.message);
      assert.ok(l.includes(`ServicePort=${grpcPort}`), res.message);
      assert.ok(l.includes('Hostname=echo-pod'));
      assert.ok(l.includes(`IP=${HOST}`));
      assert.ok(l.includes('Proto=GRPC'));
      assert.ok(l.includes('URL=/proto.EchoTestService/Echo'));
      assert.ok(l.includes('RequestHeader=X-Caller:test'));
      assert.equal(l.at(-1), 'Echo=ping');
    } finally {
      client.close();
    }
  });

  it('writes the identity lines on a TCP connect, then echoes bytes and keeps half-close', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const socket = tcpConnect({ host: HOST, port: tcpPort, localAddress: CLIENT_IP });
      const timer = setTimeout(() => socket.destroy(new Error('TCP echo timed out')), TIMEOUT_MS);
      let text = '';
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.end('line one\nline two\n'));
      socket.on('data', (c: string) => (text += c));
      socket.on('error', reject);
      // The server ends its side only after echoing everything: FIN maps to FIN.
      socket.on('end', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    assert.deepEqual(lines(received), ['ServiceVersion=v7', `ServicePort=${tcpPort}`, 'Hostname=echo-pod', `IP=${CLIENT_IP}`, 'line one', 'line two']);
  });

  it('tells HTTP/1.1 from HTTP/2 when the first bytes arrive in pieces, and reads bodies sent later', async () => {
    const raw = (pieces: string[]): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = tcpConnect({ host: HOST, port: httpPort });
        const timer = setTimeout(() => socket.destroy(new Error('raw HTTP/1.1 exchange timed out')), TIMEOUT_MS);
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (c: string) => {
          text += c;
          if (text.includes('\r\n\r\n') && /StatusCode=\d+\n(RequestHeader=.*\n)*$/.test(text)) {
            clearTimeout(timer);
            socket.destroy();
            resolve(text);
          }
        });
        socket.on('error', reject);
        // Each piece goes in its own write, after the server had the chance to read the previous one.
        const send = (i: number): void => {
          if (i >= pieces.length) return;
          socket.write(pieces[i]!, () => setTimeout(() => send(i + 1), 30));
        };
        socket.on('connect', () => send(0));
      });
    const get = await raw(['G', 'ET /split HTTP/1.1\r\nHost: split\r\n', 'Connection: close\r\n\r\n']);
    assert.match(get, /^HTTP\/1\.1 200 /);
    assert.match(get, /\nURL=\/split\n/);
    const body = 'x'.repeat(200_000);
    const post = await raw([`POST /body HTTP/1.1\r\nHost: b\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, body.slice(0, 1000), body.slice(1000)]);
    assert.match(post, /\nMethod=POST\n/);
    assert.match(post, /\nRequestHeader=Content-Length:200000\n/);
    // An HTTP/2 preface split in two still goes to the HTTP/2 server.
    const h2 = await new Promise<string>((resolve, reject) => {
      const session = http2Connect(`http://${HOST}:${httpPort}`, {
        createConnection: () => {
          const socket = tcpConnect({ host: HOST, port: httpPort });
          const write = socket.write.bind(socket) as (chunk: Buffer, cb?: () => void) => boolean;
          let first = true;
          socket.write = ((chunk: Buffer, ...rest: unknown[]) => {
            if (!first) return write(chunk, ...(rest as []));
            first = false;
            write(chunk.subarray(0, 5));
            setTimeout(() => write(chunk.subarray(5)), 30);
            return true;
          }) as typeof socket.write;
          return socket;
        },
      });
      session.on('error', reject);
      const timer = setTimeout(() => session.destroy(new Error('split-preface h2c request timed out')), TIMEOUT_MS);
      const stream = session.request({ ':path': '/split-h2' });
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (text += c));
      stream.on('error', reject);
      stream.on('end', () => {
        clearTimeout(timer);
        session.close();
        resolve(text);
      });
    });
    assert.match(h2, /\nProto=HTTP\/2\.0\n/);
    assert.match(h2, /\nURL=\/split-h2\n/);
  });

  it('refuses to bind a port that is taken, naming it', async () => {
    await assert.rejects(
      EchoServer.start({ ports: parsePorts(`0:tcp,${httpPort}:http`), host: HOST, serviceVersion: '', hostname: 'x' }),
      new RegExp(`cannot listen on ${HOST}:${httpPort}`),
    );
  });
});

describe('ambient/echo drain', () => {
  it('closes idle keep-alive and h2 connections and stops accepting', async () => {
    const server = await EchoServer.start({ ports: parsePorts('0:http'), host: HOST, serviceVersion: '', hostname: 'd' });
    const port = server.portOf('http');
    const session = http2Connect(`http://${HOST}:${port}`);
    session.on('error', () => undefined);
    const closed = new Promise<void>((r) => session.once('close', () => r()));
    await new Promise<void>((resolve, reject) => {
      const s = session.request({ ':path': '/' });
      s.resume();
      s.on('end', resolve);
      s.on('error', reject);
    });
    await server.close(5_000);
    await closed;
    await assert.rejects(http1Get(port, '/'), /ECONNREFUSED/);
  });
});
