// The plugin as it ships (scripts/bundle.mjs → one JavaScript file), run through the shim the installer writes,
// the way the container runtime runs it: VERSION answers, and a bad config gets a CNI error naming the field.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildTestBundle } from '@mesh/common/testing';
import type { TestBundle } from '@mesh/common/testing';
import { installShim } from '../src/install/installer.ts';

describe('the bundled istio-cni plugin', () => {
  let bundle: TestBundle | undefined;
  let shim: string;

  before(async () => {
    bundle = buildTestBundle('istio-cni', fileURLToPath(new URL('..', import.meta.url)));
    const dir = dirname(bundle.file);
    shim = await installShim({ netDir: join(dir, 'net.d'), binDir: join(dir, 'bin'), runDir: join(dir, 'run'), excludeNamespaces: [], logLevel: 'info', pluginEntry: bundle.file });
  });
  after(() => bundle?.remove());

  it('is what the shim runs', () => {
    assert.ok(readFileSync(shim, 'utf8').includes(bundle?.file ?? 'no bundle'));
  });

  it('answers VERSION', () => {
    const r = spawnSync(shim, [], { env: { ...process.env, CNI_COMMAND: 'VERSION' }, input: '', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const v = JSON.parse(r.stdout) as { supportedVersions: string[] };
    assert.ok(v.supportedVersions.includes('1.0.0'));
  });

  it('refuses an ADD whose config is not JSON with a CNI error object', () => {
    const r = spawnSync(shim, [], {
      env: { ...process.env, CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/var/run/netns/none', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' },
      input: '{not json',
      encoding: 'utf8',
    });
    assert.notEqual(r.status, 0);
    const err = JSON.parse(r.stdout) as { code: number; msg: string };
    assert.equal(typeof err.code, 'number');
    assert.match(err.msg, /JSON|config/i);
  });
});
