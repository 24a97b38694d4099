import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CmdAddEvent } from '../event/cmdadd.ts';
import { CniCode, CniError } from './cni-error.ts';
import { runPlugin } from './plugin.ts';
import { convertResult } from './result.ts';

const PREV = {
  cniVersion: '1.0.0',
  interfaces: [{ name: 'eth0', sandbox: '/var/run/netns/p' }],
  ips: [{ address: '10.244.1.5/24', gateway: '10.244.1.1', interface: 0 }],
};
const CONF = { cniVersion: '1.0.0', name: 'k8s', type: 'istio-cni', cni_agent_run_dir: '/run/x', exclude_namespaces: ['kube-system'], prevResult: PREV };
const ENV = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/var/run/netns/p', CNI_IFNAME: 'eth0', CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=echo;K8S_POD_UID=u-1' };

function deps(events: { runDir: string; event: CmdAddEvent }[], fail?: Error) {
  return {
    postCmdAdd: async (runDir: string, event: CmdAddEvent) => {
      if (fail) throw fail;
      events.push({ runDir, event });
    },
  };
}

describe('runPlugin', () => {
  it('ADD posts the pod to the agent and prints prevResult', async () => {
    const events: { runDir: string; event: CmdAddEvent }[] = [];
    const out = await runPlugin(ENV, JSON.stringify(CONF), deps(events));
    assert.equal(out.exitCode, 0);
    assert.deepEqual(JSON.parse(out.stdout), PREV);
    assert.deepEqual(events, [
      {
        runDir: '/run/x',
        event: { Netns: '/var/run/netns/p', PodName: 'echo', PodNamespace: 'default', PodUID: 'u-1', IPs: [{ Interface: 0, Address: '10.244.1.5/24', Gateway: '10.244.1.1' }] },
      },
    ]);
  });
  it('ADD converts prevResult to the config version', async () => {
    const out = await runPlugin(ENV, JSON.stringify({ ...CONF, cniVersion: '0.3.1' }), deps([]));
    const r = JSON.parse(out.stdout) as { cniVersion: string; ips: { version: string }[] };
    assert.equal(r.cniVersion, '0.3.1');
    assert.equal(r.ips[0]?.version, '4');
    assert.deepEqual(convertResult({ cniVersion: '0.4.0', ips: [{ version: '6', address: 'fd00::5/64' }] }, '1.0.0'), {
      cniVersion: '1.0.0',
      ips: [{ address: 'fd00::5/64' }],
    });
  });
  it('ADD skips the agent for excluded namespaces and non-Kubernetes callers', async () => {
    const events: { runDir: string; event: CmdAddEvent }[] = [];
    assert.equal((await runPlugin({ ...ENV, CNI_ARGS: 'K8S_POD_NAMESPACE=kube-system;K8S_POD_NAME=dns' }, JSON.stringify(CONF), deps(events))).exitCode, 0);
    assert.equal((await runPlugin({ ...ENV, CNI_ARGS: '' }, JSON.stringify(CONF), deps(events))).exitCode, 0);
    assert.equal(events.length, 0);
  });
  it('agent failure is a CNI error', async () => {
    const out = await runPlugin(ENV, JSON.stringify(CONF), deps([], new CniError(CniCode.TryAgainLater, 'cannot reach the node agent')));
    assert.equal(out.exitCode, 1);
    assert.deepEqual(JSON.parse(out.stdout), { cniVersion: '1.0.0', code: 11, msg: 'cannot reach the node agent' });
  });
  const bad: [string, Record<string, string>, string, number, RegExp][] = [
    ['not JSON', ENV, '{', 6, /not JSON/],
    ['missing cniVersion', ENV, JSON.stringify({ ...CONF, cniVersion: undefined }), 7, /"cniVersion" is required/],
    ['unsupported cniVersion', ENV, JSON.stringify({ ...CONF, cniVersion: '0.2.0' }), 1, /"cniVersion" is "0.2.0"/],
    ['exclude_namespaces not a list', ENV, JSON.stringify({ ...CONF, exclude_namespaces: 'kube-system' }), 7, /"exclude_namespaces"/],
    ['ambient_enabled not a boolean', ENV, JSON.stringify({ ...CONF, ambient_enabled: 'yes' }), 7, /"ambient_enabled"/],
    ['no prevResult', ENV, JSON.stringify({ ...CONF, prevResult: undefined }), 7, /"prevResult" is missing/],
    ['no CNI_NETNS', { ...ENV, CNI_NETNS: '' }, JSON.stringify(CONF), 4, /CNI_NETNS/],
    ['bad CNI_ARGS', { ...ENV, CNI_ARGS: 'K8S_POD_NAME' }, JSON.stringify(CONF), 4, /CNI_ARGS/],
    ['unknown command', { ...ENV, CNI_COMMAND: 'FOO' }, JSON.stringify(CONF), 4, /CNI_COMMAND "FOO"/],
  ];
  for (const [name, env, stdin, code, msg] of bad) {
    it(`error: ${name}`, async () => {
      const out = await runPlugin(env, stdin, deps([]));
      assert.equal(out.exitCode, 1);
      const e = JSON.parse(out.stdout) as { code: number; msg: string; cniVersion: string };
      assert.equal(e.code, code);
      assert.match(e.msg, msg);
      assert.equal(typeof e.cniVersion, 'string');
    });
  }
  it('DEL and CHECK succeed with no output; VERSION lists versions', async () => {
    for (const c of ['DEL', 'CHECK']) assert.deepEqual(await runPlugin({ CNI_COMMAND: c }, JSON.stringify(CONF), deps([])), { stdout: '', exitCode: 0 });
    const v = JSON.parse((await runPlugin({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}', deps([]))).stdout) as Record<string, unknown>;
    assert.deepEqual(v, { cniVersion: '0.4.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] });
  });
});
