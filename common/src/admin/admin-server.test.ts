import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { AdminServer } from './admin-server.ts';
import { ConfigDump } from './config-dump.ts';
import { jsonResponse } from './admin-handler.ts';
import { Readiness } from '../lifecycle/readiness.ts';
import { Drain } from '../lifecycle/drain.ts';
import { MetricsRegistry } from '../metrics/metrics-registry.ts';
import { createTcpMetrics } from '../metrics/tcp-metrics.ts';
import { fillTrafficLabels } from '../metrics/traffic-labels.ts';
import { createLogger } from '../log/logger.ts';

const readiness = new Readiness();
const xdsTask = readiness.register('xds');
const certTask = readiness.register('certificates');
const metrics = new MetricsRegistry();
const configDump = new ConfigDump();
const log = createLogger({ destination: { write: () => {} } });
let drainParticipantCalled = false;
const drain = new Drain({ deadlineMs: 1000 });
drain.register('fake-listener', {
  graceful: async () => {
    drainParticipantCalled = true;
  },
  force: () => {},
});
let server: AdminServer;
let base: string;

async function get(path: string, init: RequestInit = {}): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

before(async () => {
  createTcpMetrics(metrics).connectionsOpened.inc(fillTrafficLabels({ reporter: 'source', source_workload: 'sleep' }));
  configDump.add('workloads', () => [{ name: 'sleep', namespace: 'default' }]);
  configDump.add('config', () => ({ xdsAddress: 'istiod:15012' }));
  server = await AdminServer.bind({ host: '127.0.0.1', port: 0, readiness, metrics, configDump, log, drain });
  const { host, port } = server.address();
  assert.equal(host, '127.0.0.1');
  assert.ok(port > 0);
  base = `http://${host}:${port}`;
});

after(async () => {
  await server.close();
});

test('readiness: 503 listing pending tasks, then 200 once all are done', async () => {
  let res = await get('/healthz/ready');
  assert.equal(res.status, 503);
  assert.equal(res.body, 'not ready: pending tasks: xds, certificates\n');
  xdsTask.done();
  res = await get('/ready');
  assert.equal(res.status, 503);
  assert.match(res.body, /pending tasks: certificates$/m);
  certTask.done();
  for (const path of ['/ready', '/healthz/ready']) {
    res = await get(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.body, 'ready\n');
  }
});

test('metrics: Prometheus text with its content type on both paths', async () => {
  for (const path of ['/metrics', '/stats/prometheus']) {
    const res = await get(path);
    assert.equal(res.status, 200);
    assert.match(res.type ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /^istio_tcp_connections_opened_total\{reporter="source",source_workload="sleep",.*\} 1$/m);
  }
});

test('config_dump: JSON sections by name, filterable, unknown section 404', async () => {
  let res = await get('/config_dump');
  assert.equal(res.status, 200);
  assert.equal(res.type, 'application/json');
  assert.deepEqual(JSON.parse(res.body), {
    workloads: [{ name: 'sleep', namespace: 'default' }],
    config: { xdsAddress: 'istiod:15012' },
  });
  res = await get('/config_dump?sections=config');
  assert.deepEqual(JSON.parse(res.body), { config: { xdsAddress: 'istiod:15012' } });
  res = await get('/config_dump?sections=nope');
  assert.equal(res.status, 404);
  assert.match(res.body, /unknown config_dump sections: nope/);
});

test('logging: GET shows levels, POST changes them, bad level is a 400 that changes nothing', async () => {
  let res = await get('/logging');
  assert.equal(res.status, 200);
  assert.equal(res.body, 'current log level is default:info,admin:info\n');

  res = await get('/logging?level=xds:debug', { method: 'POST' });
  assert.equal(res.status, 200);
  assert.equal(res.body, 'current log level is default:info,admin:info,xds:debug\n');
  assert.equal(log.scope('xds').isLevelEnabled('debug'), true);

  res = await get('/logging?level=xds:loud', { method: 'POST' });
  assert.equal(res.status, 400);
  assert.match(res.body, /invalid log level "loud"/);
  assert.equal(log.levels().scopes.xds, 'debug');

  res = await get('/logging', { method: 'POST' });
  assert.equal(res.status, 400);
  assert.match(res.body, /missing level parameter/);

  res = await get('/logging', { method: 'DELETE' });
  assert.equal(res.status, 405);
});

test('unknown path is 404; index lists endpoints; custom handlers and their errors', async () => {
  let res = await get('/nope');
  assert.equal(res.status, 404);
  assert.match(res.body, /unknown admin path \/nope/);

  server.register('/debug/custom', (req) => jsonResponse(200, { q: req.query.get('q') }));
  server.register('/debug/throws', () => {
    throw new Error('kaboom');
  });
  assert.throws(() => server.register('/debug/custom', () => jsonResponse(200, 1)), { code: 'ERR_ADMIN_DUPLICATE_PATH' });
  assert.throws(() => server.register('debug', () => jsonResponse(200, 1)), { code: 'ERR_ADMIN_BAD_PATH' });

  res = await get('/debug/custom?q=x');
  assert.deepEqual(JSON.parse(res.body), { q: 'x' });
  res = await get('/debug/throws');
  assert.equal(res.status, 500);
  assert.match(res.body, /kaboom/);

  res = await get('/');
  for (const p of ['/config_dump', '/healthz/ready', '/logging', '/metrics', '/quitquitquit', '/debug/custom']) {
    assert.ok(res.body.includes(`\n${p}\n`) || res.body.endsWith(`\n${p}\n`), p);
  }
});

test('quitquitquit: GET is refused; POST triggers the drain and readiness turns 503', async () => {
  let res = await get('/quitquitquit');
  assert.equal(res.status, 405);
  assert.equal(drain.started, false);

  res = await get('/quitquitquit', { method: 'POST' });
  assert.equal(res.status, 200);
  assert.equal(drain.started, true);
  const result = await drain.start('again');
  assert.equal(result.reason, 'admin /quitquitquit');
  assert.deepEqual(result.completed, ['fake-listener']);
  assert.equal(drainParticipantCalled, true);

  res = await get('/ready');
  assert.equal(res.status, 503);
  assert.match(res.body, /draining/);
});

test('a server with no inputs serves only the index; a bind failure names the address', async () => {
  const bare = await AdminServer.bind({ host: '127.0.0.1', port: 0 });
  try {
    assert.deepEqual(bare.paths(), ['/']);
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const port = (busy.address() as { port: number }).port;
      await assert.rejects(AdminServer.bind({ host: '127.0.0.1', port }), (e: Error & { code?: string }) => {
        return e.code === 'ERR_ADMIN_BIND' && e.message.includes(`127.0.0.1:${port}`);
      });
    } finally {
      await new Promise((r) => busy.close(r));
    }
  } finally {
    await bare.close();
  }
});
