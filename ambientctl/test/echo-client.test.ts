// The echo app as a process: client mode against an in-process server (every protocol, exit codes), and server
// mode started from PORTS, stopped by SIGTERM with exit 0.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ECHO_MAIN } from '../src/local/images/index.ts';
import { EchoServer } from '../src/local/images/echo/echo-server.ts';
import { parsePorts } from '../src/local/images/echo/ports.ts';

const HOST = '127.0.0.1';
const RUN_TIMEOUT_MS = 30_000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the echo main with `args`; kills it if it outlives RUN_TIMEOUT_MS. */
function runEcho(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ECHO_MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('ambient/echo client mode', () => {
  let server: EchoServer;

  before(async () => {
    server = await EchoServer.start({ ports: parsePorts('0:http,0:grpc,0:tcp'), host: HOST, serviceVersion: 'v1', hostname: 'srv' });
  });
  after(() => server.close(2_000));

  it('prints every HTTP/1.1 answer prefixed by its index and sends the headers', async () => {
    const r = await runEcho(['client', `http://${HOST}:${server.portOf('http')}/p`, '--count', '2', '--header', 'X-Test:1']);
    assert.equal(r.code, 0, r.stderr);
    for (const i of [0, 1]) {
      assert.match(r.stdout, new RegExp(`^\\[${i}\\] Hostname=srv$`, 'm'));
      assert.match(r.stdout, new RegExp(`^\\[${i}\\] Proto=HTTP/1\\.1$`, 'm'));
      assert.match(r.stdout, new RegExp(`^\\[${i}\\] RequestHeader=X-Test:1$`, 'm'));
    }
    assert.doesNotMatch(r.stdout, /^\[2\]/m);
  });

  it('speaks h2c, gRPC and TCP', async () => {
    const h2 = await runEcho(['client', `h2c://${HOST}:${server.portOf('http')}/h2`]);
    assert.equal(h2.code, 0, h2.stderr);
    assert.match(h2.stdout, /^\[0\] Proto=HTTP\/2\.0$/m);
    const g = await runEcho(['client', `grpc://${HOST}:${server.portOf('grpc')}`, '--message', 'hey', '--header', 'x-g:1']);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /^\[0\] Echo=hey$/m);
    assert.match(g.stdout, /^\[0\] RequestHeader=X-G:1$/m);
    const t = await runEcho(['client', `tcp://${HOST}:${server.portOf('tcp')}`, '--message', 'marco']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, new RegExp(`^\\[0\\] ServicePort=${server.portOf('tcp')}$`, 'm'));
    assert.match(t.stdout, /^\[0\] marco$/m);
  });

  it('exits 1 on a non-2xx status, a refused connection and a timeout, naming the failure', async () => {
    const s = await runEcho(['client', `http://${HOST}:${server.portOf('http')}/?status=503`]);
    assert.equal(s.code, 1);
    assert.match(s.stdout, /^\[0\] StatusCode=503$/m);
    assert.match(s.stderr, /\[0\] error: HTTP status 503/);
    // Port 1 on loopback: nothing listens there.
    const refused = await runEcho(['client', `tcp://${HOST}:1`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ECONNREFUSED/);
    const slow = await runEcho(['client', `http://${HOST}:${server.portOf('http')}/delay/5000`, '--timeout', '200']);
    assert.equal(slow.code, 1);
    assert.match(slow.stderr, /no answer within 200 ms/);
  });

  it('exits 2 on bad arguments', async () => {
    const r = await runEcho(['client', 'ftp://x/']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unsupported scheme ftp:/);
  });
});

describe('ambient/echo server process', () => {
  it('serves the ports from PORTS and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [ECHO_MAIN, '--bind', HOST], {
      env: { ...process.env, PORTS: '0:http,0:tcp', POD_NAME: 'proc-pod', SERVICE_VERSION: 'v9' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      let out = '';
      const ports = await new Promise<Record<string, number>>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const found = [...out.matchAll(/listening\t.*kind=(\w+) port=(\d+)/g)];
          if (found.length === 2) resolve(Object.fromEntries(found.map((m) => [m[1]!, Number(m[2])])));
        });
        child.once('exit', (code) => reject(new Error(`echo exited early (${code}): ${out}`)));
      });
      const r = await runEcho(['client', `http://${HOST}:${ports['http']}/`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\[0\] Hostname=proc-pod$/m);
      assert.match(r.stdout, /^\[0\] ServiceVersion=v9$/m);
      const t = await runEcho(['client', `tcp://${HOST}:${ports['tcp']}`]);
      assert.equal(t.code, 0, t.stderr);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
