import assert from 'node:assert/strict';
import { openSync, closeSync, readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { connectInNetns } from './connect-in-netns.ts';
import { listenInNetns } from './listen-in-netns.ts';
import { closeFd, isNetns, openNetns } from './netns.ts';
import { createTestNetns } from './netns-fixture.ts';
import type { TestNetns } from './netns-fixture.ts';

describe('netns handles', () => {
  let ns: TestNetns;
  before(() => {
    ns = createTestNetns('mns');
  });
  after(() => ns.delete());

  it('opens a named netns and recognises it', () => {
    const fd = openNetns(ns.path);
    try {
      assert.equal(isNetns(fd), true);
    } finally {
      closeFd(fd);
    }
  });

  it('says false for a regular file and for a namespace of another type', () => {
    const file = openNetns('/proc/self/status');
    const uts = openNetns('/proc/self/ns/uts');
    try {
      assert.equal(isNetns(file), false);
      assert.equal(isNetns(uts), false);
    } finally {
      closeFd(file);
      closeFd(uts);
    }
  });

  it('names the path and errno when the netns does not exist', () => {
    assert.throws(() => openNetns('/run/netns/does-not-exist-mesh'), (err: Error & { code?: string; syscall?: string }) => {
      assert.equal(err.message, 'open(/run/netns/does-not-exist-mesh) failed: ENOENT (No such file or directory)');
      assert.equal(err.code, 'ENOENT');
      assert.equal(err.syscall, 'open');
      return true;
    });
  });

  it('reports EBADF for a closed fd instead of guessing', () => {
    const fd = openNetns(ns.path);
    closeFd(fd);
    assert.throws(() => isNetns(fd), { code: 'EBADF' });
  });

  it('rejects non-fd arguments with ERR_NET_BAD_OPTION', () => {
    assert.throws(() => isNetns(-1), { code: 'ERR_NET_BAD_OPTION' });
    assert.throws(() => openNetns(''), { code: 'ERR_NET_BAD_OPTION' });
  });
});

describe('setns failures', () => {
  it('names setns and EINVAL when the fd is not a netns, and leaves the thread in its netns', async () => {
    const home = readlinkSync('/proc/thread-self/ns/net');
    const notNs = openSync('/proc/self/status', 'r');
    try {
      for (const attempt of [
        () => listenInNetns({ netnsFd: notNs, host: '127.0.0.1', port: 0 }),
        () => connectInNetns({ netnsFd: notNs, host: '127.0.0.1', port: 1 }),
      ]) {
        await assert.rejects(attempt(), (err: Error & { code?: string; syscall?: string }) => {
          assert.equal(err.message, 'setns(CLONE_NEWNET) failed: EINVAL (Invalid argument)');
          assert.equal(err.code, 'EINVAL');
          assert.equal(err.syscall, 'setns');
          return true;
        });
        assert.equal(readlinkSync('/proc/thread-self/ns/net'), home);
      }
    } finally {
      closeSync(notNs);
    }
  });

  it('switches back after a failure inside the netns (bind error)', async () => {
    const home = readlinkSync('/proc/thread-self/ns/net');
    const ns = createTestNetns('mnb');
    const fd = openNetns(ns.path);
    try {
      // 192.0.2.1 is not configured in the fresh netns: bind fails after setns succeeded.
      await assert.rejects(listenInNetns({ netnsFd: fd, host: '192.0.2.1', port: 0 }), { code: 'EADDRNOTAVAIL' });
      assert.equal(readlinkSync('/proc/thread-self/ns/net'), home);
    } finally {
      closeFd(fd);
      ns.delete();
    }
  });
});
