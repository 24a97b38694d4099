// Host probe rules applied for real in a throwaway "node" netns (root needed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_REDIRECT_CONFIG } from '../rules/index.ts';
import { HostProbe } from './host-probe.ts';

const NS = `cnih-${process.pid}-${randomBytes(3).toString('hex')}`;
const sh = (...a: string[]): string => execFileSync('ip', ['netns', 'exec', NS, ...a], { encoding: 'utf8' });

before(() => execFileSync('ip', ['netns', 'add', NS]));
after(() => execFileSync('ip', ['netns', 'del', NS]));

describe('HostProbe', () => {
  it('installs the ipsets and one SNAT rule, idempotently', async () => {
    const hp = new HostProbe(DEFAULT_REDIRECT_CONFIG, `/run/netns/${NS}`);
    await hp.install();
    await hp.install();
    const nat = sh('iptables-save', '-t', 'nat');
    assert.equal(nat.split('\n').filter((l) => l === '-A POSTROUTING -j ISTIO_POSTRT').length, 1);
    assert.match(nat, /-A ISTIO_POSTRT -p tcp -m owner --socket-exists -m set --match-set istio-inpod-probes-v4 dst -j SNAT --to-source 169.254.7.127/);
    assert.match(sh('ip6tables-save', '-t', 'nat'), /istio-inpod-probes-v6 dst -j SNAT --to-source fd16:9254:7127:1337:ffff:ffff:ffff:ffff/);
    await hp.add('uid-1', ['10.244.3.7', 'fd00::7']);
    await hp.add('uid-1', ['10.244.3.7']);
    assert.match(sh('ipset', 'list', 'istio-inpod-probes-v4'), /10\.244\.3\.7 comment "uid-1"/);
    assert.match(sh('ipset', 'list', 'istio-inpod-probes-v6'), /fd00::7 comment "uid-1"/);
    await hp.remove(['10.244.3.7', 'fd00::7']);
    assert.doesNotMatch(sh('ipset', 'list', 'istio-inpod-probes-v4'), /10\.244\.3\.7/);
  });
});
