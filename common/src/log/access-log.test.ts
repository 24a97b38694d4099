import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from './logger.ts';
import { createAccessLog } from './access-log.ts';
import type { ConnectionComplete } from './access-log.ts';
import type { LogFormat } from './logger.ts';

function setup(format: LogFormat = 'json') {
  const lines: string[] = [];
  const root = createLogger({ format, destination: { write: (s: string) => void lines.push(s) } });
  return { root, lines, access: createAccessLog(root) };
}

const complete: ConnectionComplete = {
  src: { addr: '10.0.0.1:40000', workload: 'sleep', namespace: 'default', identity: 'spiffe://cluster.local/ns/default/sa/sleep' },
  dst: { addr: '10.0.0.2:8080', hboneAddr: '10.0.0.2:15008', service: 'echo.default.svc.cluster.local', workload: 'echo' },
  direction: 'outbound',
  bytesSent: 120,
  bytesRecv: 4096,
  durationMs: 3.4,
};

test('connection complete carries ztunnel field names on the access scope', () => {
  const { access, lines } = setup();
  access.complete(complete);
  const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(rec.scope, 'access');
  assert.equal(rec.msg, 'connection complete');
  assert.equal(rec.level, 'info');
  assert.equal(rec['src.addr'], '10.0.0.1:40000');
  assert.equal(rec['src.identity'], 'spiffe://cluster.local/ns/default/sa/sleep');
  assert.equal(rec['dst.hbone_addr'], '10.0.0.2:15008');
  assert.equal(rec['dst.service'], 'echo.default.svc.cluster.local');
  assert.equal(rec.direction, 'outbound');
  assert.equal(rec.bytes_sent, 120);
  assert.equal(rec.bytes_recv, 4096);
  assert.equal(rec.duration, '3ms');
  assert.equal('error' in rec, false);
  assert.equal('dst.identity' in rec, false, 'absent fields are omitted');
});

test('a failed connection logs at warn with the error', () => {
  const { access, lines } = setup();
  access.complete({ ...complete, error: 'connection refused' });
  const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(rec.level, 'warn');
  assert.equal(rec.error, 'connection refused');
});

test('connection opened is debug only, and the access scope can be turned off on its own', () => {
  const { root, access, lines } = setup();
  access.opened(complete);
  assert.equal(lines.length, 0);
  root.setLevel('access', 'debug');
  access.opened(complete);
  assert.equal((JSON.parse(lines[0]!) as Record<string, unknown>).msg, 'connection opened');
  root.setLevel('access', 'none');
  access.complete(complete);
  root.logger.info('other scopes still log');
  assert.equal(lines.length, 2);
});

test('text format access line', () => {
  const { access, lines } = setup('text');
  access.complete(complete);
  const parts = lines[0]!.trimEnd().split('\t');
  assert.deepEqual(parts.slice(1, 4), ['info', 'access', 'connection complete']);
  assert.equal(
    parts[4],
    'src.addr=10.0.0.1:40000 src.workload=sleep src.namespace=default src.identity=spiffe://cluster.local/ns/default/sa/sleep ' +
      'dst.addr=10.0.0.2:8080 dst.hbone_addr=10.0.0.2:15008 dst.service=echo.default.svc.cluster.local dst.workload=echo ' +
      'direction=outbound bytes_sent=120 bytes_recv=4096 duration=3ms',
  );
});
