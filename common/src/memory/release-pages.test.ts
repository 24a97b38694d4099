import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { releaseFilePages } from './release-pages.ts';

const rssFileKb = (): number => Number(/^RssFile:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);

// This file runs in its own process (node --test), so dropping its pages disturbs no other test.
test('releaseFilePages drops the resident pages of the node binary, and the process carries on', async () => {
  const before = rssFileKb();
  const result = await releaseFilePages();
  const after = rssFileKb();
  assert.equal(result.skipped, undefined, result.skipped);
  assert.ok(result.mappings > 0, 'some mappings were droppable');
  assert.ok(result.releasedKb > 0);
  // Some pages come straight back (this very code runs from them), but far from all.
  assert.ok(after < before, `file-backed RSS ${before} kB -> ${after} kB`);
  // Code, read-only data and relocated data all still work: the pages are read back from the file.
  assert.equal(createHash('sha256').update('mesh').digest('hex').length, 64);
  assert.deepEqual(JSON.parse(JSON.stringify({ a: [1, 2] })), { a: [1, 2] });
  const { Http2ServerRequest } = await import('node:http2');
  assert.equal(typeof Http2ServerRequest, 'function');
});
