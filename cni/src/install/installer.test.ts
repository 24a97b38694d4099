import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { createLogger } from '@mesh/common/log';
import { waitUntil } from '@mesh/common/testing';
import { install, installConf, selectConfFile, uninstall, watchConf } from './installer.ts';
import type { InstallOptions } from './installer.ts';

const root = mkdtempSync(join(tmpdir(), 'cni-install-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
let opts: InstallOptions;
const BRIDGE = { cniVersion: '1.0.0', name: 'k8s-pod-network', plugins: [{ type: 'bridge', bridge: 'cni0' }, { type: 'portmap' }] };

beforeEach(() => {
  const dir = join(root, String(n++));
  opts = { netDir: join(dir, 'net.d'), binDir: join(dir, 'bin'), runDir: '/var/run/istio-cni', excludeNamespaces: ['kube-system'], logLevel: 'info' };
  execFileSync('mkdir', ['-p', opts.netDir]);
});

function read(file: string): { plugins: { type: string }[] } & Record<string, unknown> {
  return JSON.parse(readFileSync(join(opts.netDir, file), 'utf8')) as { plugins: { type: string }[] };
}

describe('installer', () => {
  it('appends our plugin object to the first conflist and writes an executable shim', async () => {
    writeFileSync(join(opts.netDir, '10-bridge.conflist'), JSON.stringify(BRIDGE));
    writeFileSync(join(opts.netDir, '20-other.conflist'), JSON.stringify(BRIDGE));
    const path = await install(opts);
    assert.equal(path, join(opts.netDir, '10-bridge.conflist'));
    const conf = read('10-bridge.conflist');
    assert.deepEqual(conf.plugins.map((p) => p.type), ['bridge', 'portmap', 'istio-cni']);
    assert.deepEqual(conf.plugins[2], {
      name: 'istio-cni', type: 'istio-cni', cniVersion: '0.3.1', cni_agent_run_dir: '/var/run/istio-cni',
      ambient_enabled: true, exclude_namespaces: ['kube-system'], plugin_log_level: 'info',
    });
    assert.equal(read('20-other.conflist').plugins.length, 2);
    const shim = readFileSync(join(opts.binDir, 'istio-cni'), 'utf8');
    assert.match(shim, /^#!\/bin\/sh\n/);
    assert.ok(shim.includes(process.execPath) && shim.includes('plugin/main.ts'));
    assert.equal(statSync(join(opts.binDir, 'istio-cni')).mode & 0o111, 0o111);
    const version = execFileSync(join(opts.binDir, 'istio-cni'), { env: { CNI_COMMAND: 'VERSION' }, input: '{"cniVersion":"1.0.0"}', encoding: 'utf8' });
    assert.deepEqual(JSON.parse(version).supportedVersions, ['0.3.0', '0.3.1', '0.4.0', '1.0.0']);
  });

  it('is idempotent: a second install changes nothing', async () => {
    writeFileSync(join(opts.netDir, '10-bridge.conflist'), JSON.stringify(BRIDGE));
    await install(opts);
    const first = readFileSync(join(opts.netDir, '10-bridge.conflist'), 'utf8');
    assert.equal((await installConf(opts)).changed, false);
    assert.equal(readFileSync(join(opts.netDir, '10-bridge.conflist'), 'utf8'), first);
    assert.equal(read('10-bridge.conflist').plugins.filter((p) => p.type === 'istio-cni').length, 1);
  });

  it('converts a .conf to a .conflist', async () => {
    writeFileSync(join(opts.netDir, '10-bridge.conf'), JSON.stringify({ cniVersion: '0.4.0', name: 'net', type: 'bridge', bridge: 'cni0' }));
    const path = await install(opts);
    assert.equal(path, join(opts.netDir, '10-bridge.conflist'));
    assert.deepEqual(readdirSync(opts.netDir), ['10-bridge.conflist']);
    const conf = read('10-bridge.conflist');
    assert.equal(conf['name'], 'net');
    assert.equal(conf['cniVersion'], '0.4.0');
    assert.deepEqual(conf.plugins.map((p) => p.type), ['bridge', 'istio-cni']);
  });

  it('honours CNI_CONF_NAME, also after conversion', async () => {
    writeFileSync(join(opts.netDir, '10-a.conflist'), JSON.stringify(BRIDGE));
    writeFileSync(join(opts.netDir, '20-b.conf'), JSON.stringify({ cniVersion: '0.4.0', name: 'b', type: 'bridge' }));
    const o = { ...opts, confName: '20-b.conf' };
    assert.equal(await install(o), join(opts.netDir, '20-b.conflist'));
    assert.equal(await selectConfFile(opts.netDir, '20-b.conf'), join(opts.netDir, '20-b.conflist'));
    assert.equal(read('10-a.conflist').plugins.length, 2);
  });

  it('reports a missing or broken config clearly', async () => {
    await assert.rejects(install(opts), { code: 'ERR_CNI_INSTALL_NO_CONFIG', message: /no CNI config in/ });
    writeFileSync(join(opts.netDir, '10-x.conflist'), '{"plugins": 3}');
    await assert.rejects(installConf(opts), { code: 'ERR_CNI_INSTALL_BAD_CONFIG', message: /"plugins" must be an array/ });
    writeFileSync(join(opts.netDir, '10-x.conflist'), 'nope');
    await assert.rejects(installConf(opts), { code: 'ERR_CNI_INSTALL_BAD_CONFIG', message: /not JSON/ });
  });

  it('uninstall removes our entry and the shim, and leaves the rest', async () => {
    writeFileSync(join(opts.netDir, '10-bridge.conflist'), JSON.stringify(BRIDGE));
    await install(opts);
    await uninstall(opts);
    assert.deepEqual(read('10-bridge.conflist').plugins.map((p) => p.type), ['bridge', 'portmap']);
    assert.deepEqual(readdirSync(opts.binDir), []);
    await uninstall(opts);
  });

  it('repairs the entry when another agent rewrites the file', async () => {
    writeFileSync(join(opts.netDir, '10-bridge.conflist'), JSON.stringify(BRIDGE));
    await install(opts);
    const w = watchConf(opts, createLogger({ level: 'error' }).logger, 20);
    try {
      writeFileSync(join(opts.netDir, '10-bridge.conflist'), JSON.stringify(BRIDGE));
      await waitUntil('entry repaired', () => read('10-bridge.conflist').plugins.length === 3, 10_000);
      assert.equal(read('10-bridge.conflist').plugins.at(-1)?.type, 'istio-cni');
    } finally {
      w.close();
    }
  });
});
