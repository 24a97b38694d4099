import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { answer, parseQuery, RCODE_NOERROR, RCODE_NXDOMAIN, RCODE_REFUSED, TYPE_A, TYPE_AAAA } from './wire.ts';
import { dnsRecords } from './records.ts';

/** A query as a stub resolver sends it (RD set). */
function query(name: string, type: number, id = 0x1234): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, ...labels, Buffer.from([0]), tail]);
}

const records = dnsRecords([{ metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.10' } }], []);

describe('cluster DNS wire format', () => {
  it('parses a question (case-insensitively)', () => {
    const q = parseQuery(query('Web.Default.svc.cluster.local', TYPE_A));
    assert.equal(q?.name, 'web.default.svc.cluster.local');
    assert.equal(q?.type, TYPE_A);
    assert.equal(q?.id, 0x1234);
  });

  it('rejects truncated messages', () => {
    assert.equal(parseQuery(Buffer.alloc(5)), undefined);
    assert.equal(parseQuery(query('web.default', TYPE_A).subarray(0, 16)), undefined);
  });

  it('answers A for the FQDN and <svc>.<ns>, empty NOERROR for AAAA', () => {
    for (const name of ['web.default.svc.cluster.local', 'web.default']) {
      const r = answer(parseQuery(query(name, TYPE_A)) as never, records, 'cluster.local');
      assert.equal(r.readUInt16BE(0), 0x1234);
      assert.equal(r.readUInt16BE(2) & 0xf, RCODE_NOERROR);
      assert.equal(r.readUInt16BE(6), 1, 'one answer');
      assert.deepEqual([...r.subarray(r.length - 4)], [10, 96, 0, 10]);
    }
    const aaaa = answer(parseQuery(query('web.default.svc.cluster.local', TYPE_AAAA)) as never, records, 'cluster.local');
    assert.equal(aaaa.readUInt16BE(2) & 0xf, RCODE_NOERROR);
    assert.equal(aaaa.readUInt16BE(6), 0);
  });

  it('NXDOMAIN inside the zone, REFUSED outside (no upstream)', () => {
    const nx = answer(parseQuery(query('nope.default.svc.cluster.local', TYPE_A)) as never, records, 'cluster.local');
    assert.equal(nx.readUInt16BE(2) & 0xf, RCODE_NXDOMAIN);
    const out = answer(parseQuery(query('www.example.org', TYPE_A)) as never, records, 'cluster.local');
    assert.equal(out.readUInt16BE(2) & 0xf, RCODE_REFUSED);
  });

  it('headless Services answer with their ready endpoints', () => {
    const r = dnsRecords(
      [{ metadata: { name: 'h', namespace: 'ns' }, spec: { clusterIP: 'None' } }],
      [{ metadata: { name: 'h-local', namespace: 'ns', labels: { 'kubernetes.io/service-name': 'h' } }, endpoints: [{ addresses: ['10.244.1.2'], conditions: { ready: true } }, { addresses: ['10.244.1.3'], conditions: { ready: false } }] }],
    );
    assert.deepEqual(r['h.ns.svc.cluster.local'], ['10.244.1.2']);
  });
});
