import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { findNetnsByIp } from './netns-exec.ts';

const IP = '10.123.45.6';

/** A netns with IP on one end of a veth pair inside it. */
function netnsWith(name: string): void {
  execFileSync('ip', ['netns', 'add', name]);
  const x = (...a: string[]) => execFileSync('ip', ['netns', 'exec', name, ...a]);
  x('ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0');
  x('ip', 'addr', 'add', `${IP}/32`, 'dev', 'eth0');
  x('ip', 'link', 'set', 'eth0', 'up');
}

test('findNetnsByIp looks only at netns whose names start with the prefix (two clusters, one address)', async () => {
  const id = randomBytes(3).toString('hex');
  const a = `nx${id}a-pod-1`;
  const b = `nx${id}b-pod-1`;
  try {
    netnsWith(a);
    netnsWith(b);
    assert.equal(await findNetnsByIp('/run/netns', [IP], `nx${id}a-pod-`), `/run/netns/${a}`);
    assert.equal(await findNetnsByIp('/run/netns', [IP], `nx${id}b-pod-`), `/run/netns/${b}`);
    assert.equal(await findNetnsByIp('/run/netns', [IP], `nx${id}c-pod-`), undefined);
    assert.equal(await findNetnsByIp('/run/netns', ['10.123.45.7'], `nx${id}`), undefined);
  } finally {
    for (const n of [a, b]) {
      try {
        execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
      } catch {
        // Not made.
      }
    }
  }
});
