import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { probeImport } from '../testing/import-probe.ts';

const COMMON_DIR = fileURLToPath(new URL('../..', import.meta.url));
const probe = async (entry: string): Promise<boolean> => (await probeImport(entry, COMMON_DIR)).internalModules.some((m) => m.includes('deps/undici'));

// A fresh process per probe: what importing the entry loads, and nothing else.
test("importing the admin server does not load Node's fetch client (undici) through node:http", async () => {
  assert.equal(await probe('@mesh/common/admin'), false);
});

test('the probe sees undici when an ESM import of node:http loads it', async () => {
  assert.equal(await probe('node:http'), true);
});
