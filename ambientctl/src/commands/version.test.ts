import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { versionInfo } from './version.ts';

const BIN = fileURLToPath(new URL('../../bin/ambientctl.js', import.meta.url));

test('versionInfo reports the package version and the Node runtime', () => {
  const info = versionInfo();
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.equal(info.node, process.version);
});

test('ambientctl version -o json prints one JSON object and exits 0', () => {
  const r = spawnSync(process.execPath, [BIN, 'version', '-o', 'json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { version: string; node: string };
  assert.equal(out.node, process.version);
});

test('an unknown command exits non-zero with a message', () => {
  const r = spawnSync(process.execPath, [BIN, 'no-such-command'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown command/);
});
