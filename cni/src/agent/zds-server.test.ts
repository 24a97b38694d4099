import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@mesh/common/log';
import { waitUntil } from '@mesh/common/testing';
import { FakeZtunnel } from '../../test/fake-ztunnel.test-util.ts';
import { ZdsServer } from './zds-server.ts';
import type { ZdsWorkload } from './zds-server.ts';

const NS = `cniz-${process.pid}-${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'cni-zds-'));
const path = join(dir, 'ztunnel.sock');
const log = createLogger({ level: 'error' }).logger;
const pods: ZdsWorkload[] = [];
let server: ZdsServer;
const clients: FakeZtunnel[] = [];
const client = (hello?: Buffer): FakeZtunnel => {
  const c = new FakeZtunnel(path, hello);
  clients.push(c);
  return c;
};

before(() => {
  execFileSync('ip', ['netns', 'add', NS]);
  pods.push({ uid: 'u1', name: 'a', namespace: 'demo', serviceAccount: 'sa', netnsPath: `/run/netns/${NS}` });
  pods.push({ uid: 'u2', name: 'b', namespace: 'demo', serviceAccount: 'sa' });
  server = ZdsServer.listen(path, () => pods, log, 1000);
});
after(() => {
  for (const c of clients) c.close();
  server.close();
  execFileSync('ip', ['netns', 'del', NS]);
  rmSync(dir, { recursive: true, force: true });
});

describe('ZdsServer', () => {
  it('sends the snapshot (add with a netns fd, keep without one) then snapshot_sent', async () => {
    const z = client();
    await z.waitFor('snapshot_sent', (r) => r.kind === 'snapshot_sent');
    assert.deepEqual(
      z.received.map((r) => [r.kind, r.uid, r.fdCount, r.fdIsNetns]),
      [['add', 'u1', 1, true], ['keep', 'u2', 0, false], ['snapshot_sent', '', 0, false]],
    );
    await waitUntil('connected', () => server.connected, 5000);
  });

  it('add goes to the newest connection, del to all', async () => {
    const old = clients[0] as FakeZtunnel;
    const z = client();
    await z.waitFor('snapshot', (r) => r.kind === 'snapshot_sent');
    await waitUntil('two connections', () => server.connected, 5000);
    await new Promise((r) => setTimeout(r, 50));
    await server.add({ uid: 'u3', name: 'c', namespace: 'demo', serviceAccount: 'sa', netnsPath: `/run/netns/${NS}` });
    assert.ok(z.received.some((r) => r.kind === 'add' && r.uid === 'u3' && r.fdIsNetns));
    assert.ok(!old.received.some((r) => r.uid === 'u3'));
    await server.del('u1');
    assert.ok(z.received.some((r) => r.kind === 'del' && r.uid === 'u1'));
    assert.ok(old.received.some((r) => r.kind === 'del' && r.uid === 'u1'));
  });

  it('a NACK rejects the add with the error text', async () => {
    const z = clients.at(-1) as FakeZtunnel;
    z.nack = 'no such thing';
    try {
      await assert.rejects(server.add({ uid: 'u4', name: 'd', namespace: 'demo', serviceAccount: 'sa', netnsPath: `/run/netns/${NS}` }), {
        code: 'ERR_ZDS_NACK',
        message: /no such thing/,
      });
    } finally {
      z.nack = '';
    }
  });

  it('a ztunnel that stops answering is dropped after the deadline', async () => {
    for (const c of clients) c.silent = true;
    await assert.rejects(server.add({ uid: 'u5', name: 'e', namespace: 'demo', serviceAccount: 'sa', netnsPath: `/run/netns/${NS}` }), { code: 'ERR_ZDS_TIMEOUT' });
    for (const c of clients) c.close();
    await waitUntil('all disconnected', () => !server.connected, 5000);
    await assert.rejects(server.add({ uid: 'u6', name: 'f', namespace: 'demo', serviceAccount: 'sa', netnsPath: `/run/netns/${NS}` }), { code: 'ERR_ZDS_NOT_CONNECTED' });
  });

  it('a bad hello closes the connection', async () => {
    const z = client(Buffer.from([0xff, 0xff, 0xff]));
    await waitUntil('closed by the server', () => z.closed, 5000);
    const v0 = client(Buffer.from([0x08, 0x00]));
    await waitUntil('version 0 refused', () => v0.closed, 5000);
    assert.equal(z.received.length, 0);
  });
});
