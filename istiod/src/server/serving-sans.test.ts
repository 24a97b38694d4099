import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servingNames } from './serving-sans.ts';

test('serving names always hold the service names and loopback; extra IPs become IP SANs', () => {
  assert.deepEqual(servingNames('istio-system', ['10.200.0.1', 'istiod.example.com', ' ', '::1', 'istiod']), {
    dnsNames: ['istiod.istio-system.svc', 'istiod', 'localhost', 'istiod.example.com'],
    ipAddresses: ['127.0.0.1', '10.200.0.1', '::1'],
  });
});
