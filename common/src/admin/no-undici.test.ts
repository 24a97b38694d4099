import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const COMMON_DIR = fileURLToPath(new URL('../..', import.meta.url));
const probe = (entry: string): boolean => {
  const script = `await import(${JSON.stringify(entry)}); console.log(process.moduleLoadList.some((m) => m.includes('deps/undici')));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: COMMON_DIR, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() === 'true';
};

// A fresh process per probe: what importing the entry loads, and nothing else.
test("importing the admin server does not load Node's fetch client (undici) through node:http", () => {
  assert.equal(probe('@mesh/common/admin'), false);
});

test('the probe sees undici when an ESM import of node:http loads it', () => {
  assert.equal(probe('node:http'), true);
});
