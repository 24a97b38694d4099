// Applies the rules for real inside a throwaway netns (root needed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_REDIRECT_CONFIG } from '../rules/index.ts';
import { applyRedirection, removeRedirection } from './redirection.ts';

const NS = `cnir-${process.pid}-${randomBytes(3).toString('hex')}`;
const PATH = `/run/netns/${NS}`;
const sh = (...args: string[]): string => execFileSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8' });
const ours = (save: string): string[] => save.split('\n').filter((l) => l.includes('ISTIO_'));

before(() => {
  execFileSync('ip', ['netns', 'add', NS]);
  sh('ip', 'link', 'set', 'lo', 'up');
});
after(() => execFileSync('ip', ['netns', 'del', NS]));

describe('in-pod redirection in a real netns', () => {
  it('applies v4 and v6 rules, the fwmark rule and the table-100 routes', async () => {
    await applyRedirection(PATH, DEFAULT_REDIRECT_CONFIG, {}, [4, 6]);
    const v4 = sh('iptables-save');
    assert.match(v4, /-A ISTIO_OUTPUT ! -d 127\.0\.0\.1\/32 -p tcp -m mark ! --mark 0x539\/0xfff -j REDIRECT --to-ports 15001/);
    assert.match(v4, /-A PREROUTING -j ISTIO_PRERT/);
    assert.match(sh('ip6tables-save'), /-A ISTIO_PRERT ! -d ::1\/128 -p tcp -m tcp ! --dport 15008/);
    assert.match(sh('ip', '-4', 'rule'), /32764:\s+from all fwmark 0x111\/0xfff lookup 100/);
    assert.match(sh('ip', '-4', 'route', 'show', 'table', '100'), /local default dev lo/);
  });
  it('applying again does not duplicate anything', async () => {
    const before4 = ours(sh('iptables-save'));
    await applyRedirection(PATH, DEFAULT_REDIRECT_CONFIG, {}, [4, 6]);
    assert.deepEqual(ours(sh('iptables-save')), before4);
    assert.equal(sh('ip', '-4', 'rule').split('\n').filter((l) => l.includes('fwmark')).length, 1);
  });
  it('a changed option rewrites the chains (DNS capture off drops the raw table)', async () => {
    await applyRedirection(PATH, { ...DEFAULT_REDIRECT_CONFIG, redirectDNS: false }, {}, [4]);
    const v4 = sh('iptables-save');
    assert.doesNotMatch(v4, /15053/);
    assert.doesNotMatch(v4, /CT --zone/);
    assert.equal(ours(v4).filter((l) => l === '-A OUTPUT -j ISTIO_OUTPUT').length, 2); // mangle + nat
  });
  it('removal leaves no chain, rule or route behind', async () => {
    await removeRedirection(PATH);
    assert.deepEqual(ours(sh('iptables-save')), []);
    assert.deepEqual(ours(sh('ip6tables-save')), []);
    assert.doesNotMatch(sh('ip', '-4', 'rule'), /fwmark/);
    assert.doesNotMatch(sh('ip', '-6', 'rule'), /fwmark/);
    await removeRedirection(PATH);
  });
});
