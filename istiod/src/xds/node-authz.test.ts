import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeNode } from './node-authz.ts';

const ZTUNNEL = { namespace: 'istio-system', serviceAccount: 'ztunnel' };

test('a caller may speak for proxies of its own namespace only, and only with a well-formed node id', () => {
  authorizeNode(ZTUNNEL, 'ztunnel~10.0.0.1~ztunnel-x.istio-system~istio-system.svc.cluster.local');
  assert.throws(
    () => authorizeNode({ namespace: 'app', serviceAccount: 'web' }, 'ztunnel~10.0.0.1~ztunnel-x.istio-system~istio-system.svc.cluster.local'),
    { code: 'ERR_XDS_NODE_NAMESPACE', message: /authenticated namespace app .* proxy's namespace istio-system/ },
  );
  assert.throws(() => authorizeNode(ZTUNNEL, 'just-a-name'), { code: 'ERR_XDS_BAD_NODE_ID' });
});
