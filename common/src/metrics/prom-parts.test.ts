import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { MetricsRegistry } from './metrics-registry.ts';

// This file runs in its own process (node --test), so the module cache shows what importing the registry loaded.
test("the registry loads prom-client's metric classes, not its index (which pulls in cluster and the push gateway)", async () => {
  const reg = new MetricsRegistry();
  reg.counter({ name: 'parts_probe', help: 'probe' }).inc();
  assert.match(await reg.metrics(), /istio_parts_probe_total 1/);
  const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes(`${'prom-client'}`));
  assert.ok(loaded.some((k) => k.endsWith('lib/counter.js')), `prom-client's counter was loaded: ${loaded.join(', ')}`);
  assert.equal(loaded.filter((k) => /prom-client[\\/](index\.js|lib[\\/](cluster|pushgateway|defaultMetrics)\.js)$/.test(k)).length, 0, loaded.join(', '));
});
