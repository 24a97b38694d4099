// The plugin as it ships (scripts/bundle.mjs → one JavaScript file), run through the shim the installer writes,
// the way the container runtime runs it: VERSION answers, and a bad config gets a CNI error naming the field.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { installShim } from '../src/install/installer.ts';

const BUNDLER = fileURLToPath(new URL('../../scripts/bundle.mjs', import.meta.url));

describe('the bundled istio-cni plugin', () => {
  // Built beside the package, so the npm packages it imports resolve as they do in production.
  const buildDir = fileURLToPath(new URL('../build/', import.meta.url));
  let out: string;
  let shim: string;

  before(async () => {
    mkdirSync(buildDir, { recursive: true });
    out = mkdtempSync(join(buildDir, 'plugin-bundle-'));
    const built = spawnSync(process.execPath, [BUNDLER, 'istio-cni', '--outdir', out], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    shim = await installShim({ netDir: join(out, 'net.d'), binDir: join(out, 'bin'), runDir: join(out, 'run'), excludeNamespaces: [], logLevel: 'info', pluginEntry: join(out, 'istio-cni.mjs') });
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('is what the shim runs', () => {
    assert.ok(readFileSync(shim, 'utf8').includes(join(out, 'istio-cni.mjs')));
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
