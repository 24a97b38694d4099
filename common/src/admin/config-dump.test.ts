import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigDump } from './config-dump.ts';

test('dump calls providers on demand, filters by name, and isolates a failing provider', async () => {
  const dump = new ConfigDump();
  let workloads = 1;
  dump.add('workloads', () => ({ count: workloads }));
  dump.add('broken', () => {
    throw new Error('state unavailable');
  });
  dump.add('async', async () => 'later');
  workloads = 2;
  assert.deepEqual(await dump.dump(), {
    workloads: { count: 2 },
    broken: { error: 'state unavailable' },
    async: 'later',
  });
  assert.deepEqual(await dump.dump(['async']), { async: 'later' });
  dump.remove('broken');
  assert.deepEqual(dump.names(), ['workloads', 'async']);
});
