import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsRegistry } from './metrics-registry.ts';
import { createTcpMetrics } from './tcp-metrics.ts';
import { TRAFFIC_LABELS, fillTrafficLabels } from './traffic-labels.ts';

test('the four istio_tcp_* counters render with _total, every traffic label and unknown fills', async () => {
  const reg = new MetricsRegistry();
  const tcp = createTcpMetrics(reg);
  const labels = fillTrafficLabels({
    reporter: 'source',
    source_workload: 'sleep',
    destination_service: 'echo.default.svc.cluster.local',
    request_protocol: 'tcp',
    response_flags: '-',
    connection_security_policy: 'mutual_tls',
  });
  tcp.connectionsOpened.inc(labels);
  tcp.connectionsClosed.inc(labels);
  tcp.receivedBytes.inc(labels, 100);
  tcp.sentBytes.inc(labels, 250);
  const text = await reg.metrics();

  const opened = text.split('\n').find((l) => l.startsWith('istio_tcp_connections_opened_total{'));
  assert.ok(opened, text);
  assert.match(opened, /reporter="source"/);
  assert.match(opened, /source_workload="sleep"/);
  assert.match(opened, /source_app="unknown"/);
  assert.match(opened, /destination_principal="unknown"/);
  assert.match(opened, /response_flags="-"/);
  assert.match(opened, /\} 1$/);
  for (const name of TRAFFIC_LABELS) assert.ok(opened.includes(`${name}="`), `label ${name}`);

  assert.match(text, /^istio_tcp_connections_closed_total\{.*\} 1$/m);
  assert.match(text, /^istio_tcp_received_bytes_total\{.*\} 100$/m);
  assert.match(text, /^istio_tcp_sent_bytes_total\{.*\} 250$/m);
  assert.match(text, /^# TYPE istio_tcp_sent_bytes_total counter$/m);
});

test('createTcpMetrics twice on one registry shares the counters', () => {
  const reg = new MetricsRegistry();
  const a = createTcpMetrics(reg);
  const b = createTcpMetrics(reg);
  assert.equal(a.sentBytes, b.sentBytes);
});
