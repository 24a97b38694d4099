import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry } from 'prom-client';
import { MetricsRegistry } from './metrics-registry.ts';
import { MetricsError } from './metrics-error.ts';

test('counters get the istio_ prefix and the _total suffix exactly once', async () => {
  const reg = new MetricsRegistry();
  reg.counter({ name: 'xds_message', help: 'x' }).inc();
  reg.counter({ name: 'istio_dns_requests_total', help: 'x' }).inc(2);
  const text = await reg.metrics();
  assert.match(text, /^istio_xds_message_total 1$/m);
  assert.match(text, /^istio_dns_requests_total 2$/m);
  assert.doesNotMatch(text, /istio_istio_|_total_total/);
});

test('gauges and histograms are prefixed but get no _total', async () => {
  const reg = new MetricsRegistry();
  reg.gauge({ name: 'tcp_sockets_open', help: 'x', labelNames: ['reporter'] }).set({ reporter: 'source' }, 3);
  reg.histogram({ name: 'dns_upstream_request_duration_seconds', help: 'x', buckets: [0.1, 1] }).observe(0.5);
  const text = await reg.metrics();
  assert.match(text, /^istio_tcp_sockets_open\{reporter="source"\} 3$/m);
  assert.match(text, /^istio_dns_upstream_request_duration_seconds_bucket\{le="1"\} 1$/m);
});

test('a custom or empty prefix', async () => {
  const reg = new MetricsRegistry({ prefix: '' });
  reg.counter({ name: 'plain', help: 'x' }).inc();
  assert.match(await reg.metrics(), /^plain_total 1$/m);
});

test('each registry is isolated and the global default registry is untouched', async () => {
  const a = new MetricsRegistry();
  const b = new MetricsRegistry();
  a.counter({ name: 'only_in_a', help: 'x' }).inc();
  assert.match(await a.metrics(), /istio_only_in_a_total/);
  assert.doesNotMatch(await b.metrics(), /only_in_a/);
  assert.equal(globalRegistry.getSingleMetric('istio_only_in_a_total'), undefined);
});

test('redefining the same metric returns the existing one; a different shape is refused', () => {
  const reg = new MetricsRegistry();
  const c1 = reg.counter({ name: 'x', help: 'x', labelNames: ['a', 'b'] });
  const c2 = reg.counter({ name: 'x', help: 'x', labelNames: ['b', 'a'] });
  assert.equal(c1, c2);
  assert.throws(
    () => reg.counter({ name: 'x', help: 'x', labelNames: ['a'] }),
    (e: unknown) => e instanceof MetricsError && e.code === 'ERR_METRICS_CONFLICT' && /istio_x_total/.test(e.message),
  );
  reg.gauge({ name: 'g', help: 'x' });
  reg.gauge({ name: 'h_total', help: 'x' });
  assert.throws(() => reg.counter({ name: 'h', help: 'x' }), { code: 'ERR_METRICS_CONFLICT' });
  assert.throws(() => reg.histogram({ name: 'g', help: 'x' }), /already defined as a gauge/);
});

test('an invalid metric name is refused with a clear error', () => {
  const reg = new MetricsRegistry();
  assert.throws(() => reg.counter({ name: 'bad-name', help: 'x' }), { code: 'ERR_METRICS_BAD_NAME' });
});

test('contentType is the Prometheus text format', () => {
  assert.match(new MetricsRegistry().contentType, /^text\/plain; version=0\.0\.4/);
});

test('exactName keeps a counter name as given (istiod exposes pilot_xds_pushes without _total)', async () => {
  const reg = new MetricsRegistry({ prefix: '' });
  reg.counter({ name: 'pilot_xds_pushes', exactName: true, help: 'x', labelNames: ['type'] }).inc({ type: 'address' });
  reg.counter({ name: 'pilot_other', help: 'x' }).inc();
  const text = await reg.metrics();
  assert.match(text, /^pilot_xds_pushes\{type="address"\} 1$/m);
  assert.match(text, /^pilot_other_total 1$/m);
});
