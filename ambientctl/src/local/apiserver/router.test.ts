import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { route } from './router.ts';

describe('route', () => {
  const res = (group: string, version: string, resource: string, namespace?: string, name?: string, subresource?: string, watchPath = false): unknown => ({
    kind: 'resource', group, version, resource, namespace, name, subresource, watchPath,
  });
  const cases: [string, unknown][] = [
    ['/version', { kind: 'version' }],
    ['/api', { kind: 'api' }],
    ['/apis', { kind: 'apis' }],
    ['/api/v1', { kind: 'group-version', group: '', version: 'v1' }],
    ['/apis/security.istio.io', { kind: 'group', group: 'security.istio.io' }],
    ['/apis/security.istio.io/v1', { kind: 'group-version', group: 'security.istio.io', version: 'v1' }],
    ['/openapi/v3', { kind: 'openapi-v3' }],
    ['/openapi/v3/api/v1', { kind: 'openapi-v3-doc', group: '', version: 'v1' }],
    ['/openapi/v3/apis/apps/v1', { kind: 'openapi-v3-doc', group: 'apps', version: 'v1' }],
    ['/openapi/v2', { kind: 'openapi-v2' }],
    ['/api/v1/namespaces', res('', 'v1', 'namespaces')],
    ['/api/v1/namespaces/x', res('', 'v1', 'namespaces', undefined, 'x')],
    ['/api/v1/namespaces/x/status', res('', 'v1', 'namespaces', undefined, 'x', 'status')],
    ['/api/v1/namespaces/x/pods', res('', 'v1', 'pods', 'x')],
    ['/api/v1/namespaces/x/pods/p', res('', 'v1', 'pods', 'x', 'p')],
    ['/api/v1/namespaces/x/serviceaccounts/sa/token', res('', 'v1', 'serviceaccounts', 'x', 'sa', 'token')],
    ['/api/v1/pods', res('', 'v1', 'pods')],
    ['/api/v1/nodes/n1/status', res('', 'v1', 'nodes', undefined, 'n1', 'status')],
    ['/apis/apps/v1/namespaces/d/deployments/web', res('apps', 'v1', 'deployments', 'd', 'web')],
    ['/api/v1/watch/namespaces/x/pods/p', res('', 'v1', 'pods', 'x', 'p', undefined, true)],
    ['/api/v1/namespaces/x/pods/p/status/extra', { kind: 'not-found' }],
    ['/nope', { kind: 'not-found' }],
    ['/api/v1/namespaces/%E0%A4%A', { kind: 'not-found' }],
  ];
  for (const [path, want] of cases) {
    it(path, () => assert.deepEqual(route(path), want));
  }
});
