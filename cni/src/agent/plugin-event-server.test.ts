import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@mesh/common/log';
import type { CmdAddEvent } from '../event/cmdadd.ts';
import { startPluginEventServer } from './plugin-event-server.ts';
import type { PluginEventServer } from './plugin-event-server.ts';
import { unixHttp } from '../../test/unix-http.test-util.ts';

const dir = mkdtempSync(join(tmpdir(), 'cni-events-'));
const got: CmdAddEvent[] = [];
let server: PluginEventServer;

const call = (method: string, path: string, body = ''): Promise<{ status: number; text: string }> => unixHttp(server.path, method, path, body);

before(async () => {
  server = await startPluginEventServer(
    dir,
    async (e) => {
      if (e.PodName === 'broken') throw new Error('rules could not be installed');
      got.push(e);
    },
    createLogger({ level: 'none' }).logger,
  );
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const EVENT = { Netns: '/run/netns/p', PodName: 'a', PodNamespace: 'demo', PodUID: 'u', IPs: [{ Address: '10.0.0.5/24' }] };

describe('plugin event server', () => {
  it('accepts a valid cmdadd', async () => {
    assert.equal((await call('POST', '/cmdadd', JSON.stringify(EVENT))).status, 200);
    assert.deepEqual(got, [EVENT]);
  });
  const bad: [string, string, string, string, number, RegExp][] = [
    ['unknown path', 'POST', '/cmddel', '{}', 404, /POST \/cmdadd/],
    ['wrong method', 'GET', '/cmdadd', '', 405, /use POST/],
    ['not JSON', 'POST', '/cmdadd', '{', 400, /bad cmdadd event/],
    ['array body', 'POST', '/cmdadd', '[]', 400, /JSON object/],
    ['missing Netns', 'POST', '/cmdadd', JSON.stringify({ ...EVENT, Netns: undefined }), 400, /"Netns"/],
    ['relative Netns', 'POST', '/cmdadd', JSON.stringify({ ...EVENT, Netns: 'netns/p' }), 400, /absolute path/],
    ['IPs not a list', 'POST', '/cmdadd', JSON.stringify({ ...EVENT, IPs: 'x' }), 400, /"IPs"/],
    ['IP without Address', 'POST', '/cmdadd', JSON.stringify({ ...EVENT, IPs: [{}] }), 400, /"IPs\[0\]\.Address"/],
    ['too big', 'POST', '/cmdadd', 'x'.repeat(70_000), 413, /larger than/],
    ['enrollment fails', 'POST', '/cmdadd', JSON.stringify({ ...EVENT, PodName: 'broken' }), 500, /rules could not be installed/],
  ];
  for (const [name, method, path, body, status, text] of bad) {
    it(name, async () => {
      const r = await call(method, path, body);
      assert.equal(r.status, status, r.text);
      assert.match(r.text, text);
    });
  }
});
