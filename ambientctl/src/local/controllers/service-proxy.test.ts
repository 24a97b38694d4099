import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../cluster/kube-client.ts';
import { serviceRules } from './service-proxy.ts';

const svc: Obj = { metadata: { name: 'web', namespace: 'ns' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] } };
const slice = (eps: [string, boolean][]): Obj => ({
  metadata: { name: 'web-local', namespace: 'ns', labels: { 'kubernetes.io/service-name': 'web' } },
  ports: [{ name: 'http', port: 8080 }],
  endpoints: eps.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
});

describe('serviceRules', () => {
  it('DNATs the VIP to ready endpoints with random balancing, and masquerades hairpin traffic', () => {
    const text = serviceRules([svc], [slice([['10.244.1.2', true], ['10.244.2.2', true], ['10.244.2.3', false]])], '10.244.1.0/24');
    const rules = text.split('\n').filter((l) => l.startsWith('-A AL-SERVICES'));
    assert.equal(rules.length, 2);
    assert.match(rules[0] ?? '', /-d 10\.96\.0\.10\/32 -p tcp -m tcp --dport 80 .*--probability 0\.50000 -j DNAT --to-destination 10\.244\.1\.2:8080$/);
    assert.match(rules[1] ?? '', /--dport 80 .*-j DNAT --to-destination 10\.244\.2\.2:8080$/);
    assert.doesNotMatch(rules[1] ?? '', /statistic/);
    assert.match(text, /-A AL-POSTROUTING -s 10\.244\.1\.0\/24 -d 10\.244\.1\.0\/24 -m conntrack --ctstate DNAT -j MASQUERADE/);
    assert.ok(text.startsWith('*nat\n:AL-SERVICES - [0:0]\n'));
    assert.ok(text.trimEnd().endsWith('COMMIT'));
  });

  it('skips headless Services and Services without ready endpoints', () => {
    const headless: Obj = { metadata: { name: 'h', namespace: 'ns' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } };
    const text = serviceRules([svc, headless], [slice([['10.244.1.2', false]])], '10.244.1.0/24');
    assert.equal(text.split('\n').filter((l) => l.startsWith('-A AL-SERVICES')).length, 0);
  });
});
