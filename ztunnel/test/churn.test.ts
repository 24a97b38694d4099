// 10,000 short connections from pod A to pod B through ztunnel: every one must succeed, and all of them share
// one HBONE session (no GOAWAY, no second session): half-close without stream resets keeps nghttp2's
// rapid-reset guard quiet.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from './mesh.test-util.ts';
import { A_UID, B_UID, startTwoPods } from './two-pods.test-util.ts';
import type { TwoPods } from './two-pods.test-util.ts';

const CONNECTIONS = 10_000;
const CONCURRENCY = 50;

describe('ztunnel connection churn', { timeout: 175_000 }, () => {
  let m: TwoPods;
  before(async () => {
    m = await startTwoPods('ztc');
  });
  after(() => m?.close());

  it(`${CONNECTIONS} short connections, zero failures, one HBONE session`, async () => {
    // Warm up so the session exists, then count sessions the server sees from here on.
    assert.equal((await request(m.fdA, m.podB.ip, 8080, 'warm')).data, `${m.podA.ip}\nwarm`);
    const server = m.ztB.workloads.get(B_UID)?.inboundServer;
    assert.ok(server);
    // A GOAWAY (e.g. nghttp2's rapid-reset guard) would retire the session and force a new one.
    let newSessions = 0;
    server.server.on('session', () => newSessions++);
    let next = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (next < CONNECTIONS) {
        const i = next++;
        const r = await request(m.fdA, m.podB.ip, 8080, `c${i}`);
        if (r.error !== undefined || r.data !== `${m.podA.ip}\nc${i}`) failures.push(`#${i}: ${r.error ?? JSON.stringify(r.data)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failures`);
    assert.equal(newSessions, 0, 'no new HBONE session was needed');
    assert.equal(m.ztA.workloads.get(A_UID)?.pool?.stats().sessions, 1);
  });
});
