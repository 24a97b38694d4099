import { test } from 'node:test';
import assert from 'node:assert/strict';
import { droppableMappings, parseSmaps } from './file-pages.ts';

const block = (range: string, perms: string, path: string, rss: number, anon: number, flags = 'rd mr mw me'): string =>
  [
    `${range} ${perms} 00000000 fd:01 1234                       ${path}`,
    `Size:               1024 kB`,
    `Rss:                 ${rss} kB`,
    `Pss:                 ${rss} kB`,
    `Anonymous:           ${anon} kB`,
    `VmFlags: ${flags}`,
  ].join('\n');

const SMAPS = [
  block('00400000-00800000', 'r-xp', '/usr/bin/node', 900, 0, 'rd ex mr mw me dw'),
  block('00800000-00900000', 'r--p', '/usr/bin/node', 300, 0),
  block('00900000-00a00000', 'r--p', '/usr/bin/node', 200, 12),
  block('00a00000-00b00000', 'rw-p', '/usr/bin/node', 100, 100),
  block('00b00000-00c00000', 'rw-p', '[heap]', 4000, 4000),
  block('00c00000-00d00000', 'rw-p', '', 800, 800),
  block('00d00000-00e00000', 'r-xp', '/usr/lib/libc.so.6', 0, 0),
  block('00e00000-00f00000', 'r-xp', '/usr/lib/libm.so.6', 64, 0, 'rd ex mr mw me lo'),
  block('00f00000-01000000', 'r-xp', '/opt/old/node (deleted)', 64, 0),
  block('01000000-01100000', 'r--s', '/dev/shm/x', 64, 0),
  block('7ffd00000000-7ffd00001000', 'r-xp', '[vdso]', 4, 0),
].join('\n');

test('parseSmaps reads ranges, permissions, paths, Rss, Anonymous and VmFlags', () => {
  const maps = parseSmaps(`${SMAPS}\n`);
  assert.equal(maps.length, 11);
  const first = maps[0];
  assert.equal(first?.start, 0x400000n);
  assert.equal(first?.end, 0x800000n);
  assert.equal(first?.perms, 'r-xp');
  assert.equal(first?.path, '/usr/bin/node');
  assert.equal(first?.rssKb, 900);
  assert.equal(first?.anonymousKb, 0);
  assert.deepEqual(first?.vmFlags, ['rd', 'ex', 'mr', 'mw', 'me', 'dw']);
  assert.equal(maps[5]?.path, '');
  assert.equal(maps[10]?.end, 0x7ffd00001000n);
});

test('only read-only private file mappings with no copied-on-write page, resident and unlocked, are droppable', () => {
  const chosen = droppableMappings(parseSmaps(SMAPS)).map((m) => `${m.path} ${m.perms} ${m.start.toString(16)}`);
  assert.deepEqual(chosen, ['/usr/bin/node r-xp 400000', '/usr/bin/node r--p 800000']);
});

test('parseSmaps refuses a header it cannot read', () => {
  assert.throws(() => parseSmaps('not a mapping line\nRss: 4 kB'), /unreadable mapping line/);
});
