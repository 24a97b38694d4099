import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CustomObject } from './types.ts';
import { build, namespace, pod, service, waypointGateway, workloadOf } from './model.test-util.ts';

function ap(name: string, ns: string, spec: Record<string, unknown> = {}): CustomObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec };
}

function pa(name: string, ns: string, spec: Record<string, unknown>, created = '2024-01-01T00:00:00Z'): CustomObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns, creationTimestamp: created }, spec };
}

const STATIC = 'istio-system/istio_converted_static_strict';

describe('authorization policies', () => {
  it('converts every policy, named <ns>/<name>, with its scope', () => {
    const model = build({
      authorizationPolicies: [
        ap('ns-wide', 'default', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['bad'] } }] }] }),
        ap('mesh', 'istio-system', {}),
        ap('sel', 'default', { selector: { matchLabels: { app: 'web' } }, rules: [{}] }),
      ],
    });
    assert.deepEqual([...model.authorizations.keys()], ['default/ns-wide', 'istio-system/mesh', 'default/sel']);
    assert.equal(model.authorizations.get('default/ns-wide')?.value.scope, 'NAMESPACE');
    assert.equal(model.authorizations.get('default/ns-wide')?.value.action, 'DENY');
    assert.equal(model.authorizations.get('istio-system/mesh')?.value.scope, 'GLOBAL');
    assert.equal(model.authorizations.get('default/sel')?.value.scope, 'WORKLOAD_SELECTOR');
    assert.deepEqual(model.authorizations.get('default/sel')?.aliases, []);
  });

  it('lists the selector policies that select the workload (own and root namespace), sorted', () => {
    const model = build({
      pods: [pod('web', { labels: { app: 'web', tier: 'front' } }), pod('db', { ip: '10.244.1.6', labels: { app: 'db' } })],
      authorizationPolicies: [
        ap('z-web', 'default', { selector: { matchLabels: { app: 'web' } } }),
        ap('a-front', 'default', { selector: { matchLabels: { tier: 'front', app: 'web' } } }),
        ap('mesh-web', 'istio-system', { selector: { matchLabels: { app: 'web' } } }),
        ap('elsewhere', 'other', { selector: { matchLabels: { app: 'web' } } }),
        ap('ns-wide', 'default', {}),
        ap('mismatch', 'default', { selector: { matchLabels: { app: 'web', tier: 'back' } } }),
        ap('all-in-ns', 'default', { selector: {} }),
      ],
    });
    assert.deepEqual(workloadOf(model, 'default', 'web').authorization_policies, [
      'default/a-front',
      'default/all-in-ns',
      'default/z-web',
      'istio-system/mesh-web',
    ]);
    assert.deepEqual(workloadOf(model, 'default', 'db').authorization_policies, ['default/all-in-ns']);
  });

  it('targetRef policies are for waypoints: nothing for ztunnel', () => {
    const model = build({ authorizationPolicies: [ap('l7', 'default', { targetRefs: [{ kind: 'Service', group: '', name: 'web' }] })] });
    assert.equal(model.authorizations.size, 0);
    assert.deepEqual(model.errors, []);
  });

  it('skips a bad policy with an issue naming it and keeps the others', () => {
    const model = build({
      pods: [pod('web', { labels: { app: 'web' } })],
      authorizationPolicies: [
        ap('bad-action', 'default', { action: 'MAYBE' }),
        ap('bad-selector', 'default', { selector: { matchLabels: { app: 7 } } }),
        ap('bad-ip', 'default', { rules: [{ from: [{ source: { ipBlocks: ['1.2.3.4.5'] } }] }] }),
        ap('good', 'default', { selector: { matchLabels: { app: 'web' } } }),
      ],
    });
    assert.deepEqual([...model.authorizations.keys()], ['default/good']);
    assert.deepEqual(workloadOf(model, 'default', 'web').authorization_policies, ['default/good']);
    assert.deepEqual(
      model.errors.map((e) => e.object),
      ['AuthorizationPolicy default/bad-action', 'AuthorizationPolicy default/bad-selector', 'AuthorizationPolicy default/bad-ip'],
    );
    assert.match(model.errors[1]?.message ?? '', /matchLabels\.app must be a string/);
  });

  it('reports the status warning of a policy with HTTP attributes and still sends it', () => {
    const model = build({ authorizationPolicies: [ap('http', 'default', { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] })] });
    assert.ok(model.authorizations.has('default/http'));
    assert.equal(model.errors.length, 1);
    assert.match(model.errors[0]?.message ?? '', /HTTP attributes/);
  });
});

describe('peer authentication references', () => {
  const web = () => pod('web', { labels: { app: 'web' } });
  const cases: { name: string; pas: CustomObject[]; want: string[] }[] = [
    { name: 'none', pas: [], want: [] },
    { name: 'mesh STRICT', pas: [pa('default', 'istio-system', { mtls: { mode: 'STRICT' } })], want: [STATIC] },
    { name: 'namespace STRICT', pas: [pa('default', 'default', { mtls: { mode: 'STRICT' } })], want: [STATIC] },
    {
      name: 'mesh STRICT, namespace PERMISSIVE',
      pas: [pa('m', 'istio-system', { mtls: { mode: 'STRICT' } }), pa('n', 'default', { mtls: { mode: 'PERMISSIVE' } })],
      want: [],
    },
    { name: 'other namespace STRICT', pas: [pa('n', 'other', { mtls: { mode: 'STRICT' } })], want: [] },
    {
      name: 'workload STRICT',
      pas: [pa('w', 'default', { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' } })],
      want: [STATIC],
    },
    {
      name: 'workload STRICT that does not select the pod',
      pas: [pa('w', 'default', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'STRICT' } })],
      want: [],
    },
    {
      name: 'workload STRICT with a PERMISSIVE port references its own policy',
      pas: [pa('w', 'default', { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } })],
      want: ['default/converted_peer_authentication_w'],
    },
    {
      name: 'namespace STRICT, workload UNSET with a PERMISSIVE port',
      pas: [
        pa('n', 'default', { mtls: { mode: 'STRICT' } }),
        pa('w', 'default', { selector: { matchLabels: { app: 'web' } }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } }),
      ],
      want: ['default/converted_peer_authentication_w', STATIC],
    },
    {
      name: 'workload PERMISSIVE with a STRICT port',
      pas: [pa('w', 'default', { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'STRICT' } } })],
      want: ['default/converted_peer_authentication_w'],
    },
    {
      name: 'oldest namespace policy wins',
      pas: [
        pa('new', 'default', { mtls: { mode: 'PERMISSIVE' } }, '2024-06-01T00:00:00Z'),
        pa('old', 'default', { mtls: { mode: 'STRICT' } }, '2023-01-01T00:00:00Z'),
      ],
      want: [STATIC],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const model = build({ pods: [web()], peerAuthentications: c.pas });
      assert.deepEqual(workloadOf(model, 'default', 'web').authorization_policies, c.want);
      for (const key of c.want) assert.ok(model.authorizations.has(key), `policy ${key} is sent`);
      assert.deepEqual(model.errors, []);
    });
  }

  it('skips a bad PeerAuthentication, naming it', () => {
    const model = build({ pods: [web()], peerAuthentications: [pa('bad', 'default', { mtls: { mode: 'SOMETIMES' } })] });
    assert.deepEqual(workloadOf(model, 'default', 'web').authorization_policies, []);
    assert.equal(model.errors[0]?.object, 'PeerAuthentication default/bad');
    assert.equal(model.authorizations.size, 0);
  });
});

describe('waypoint allow policy', () => {
  it('is sent per waypoint with pods and listed by the workloads behind it', () => {
    const gwLabels = { 'gateway.networking.k8s.io/gateway-name': 'waypoint' };
    const model = build({
      namespaces: [namespace('default')],
      gateways: [waypointGateway('waypoint', 'default', 'service')],
      services: [service('web', { labels: { 'istio.io/use-waypoint': 'waypoint' } })],
      pods: [
        pod('web-1', { labels: { app: 'web' } }),
        pod('lonely', { ip: '10.244.1.7', labels: { app: 'lonely' } }),
        pod('waypoint-1', { ip: '10.244.1.8', labels: gwLabels, serviceAccount: 'waypoint' }),
      ],
    });
    const key = 'default/istio_allow_waypoint_default_waypoint';
    const policy = model.authorizations.get(key)?.value;
    assert.equal(policy?.action, 'ALLOW');
    assert.equal(policy?.scope, 'WORKLOAD_SELECTOR');
    assert.deepEqual(policy?.groups[0]?.rules[0]?.matches[0]?.principals, [
      { exact: 'cluster.local/ns/default/sa/waypoint', match_type: 'exact' },
    ]);
    assert.deepEqual(workloadOf(model, 'default', 'web-1').authorization_policies, [key]);
    assert.deepEqual(workloadOf(model, 'default', 'lonely').authorization_policies, []);
  });

  it('is neither sent nor listed while the waypoint has no pods', () => {
    const model = build({
      gateways: [waypointGateway('waypoint', 'default', 'all')],
      pods: [pod('web-1', { labels: { 'istio.io/use-waypoint': 'waypoint' } })],
    });
    assert.equal(model.authorizations.size, 0);
    assert.ok(workloadOf(model, 'default', 'web-1').waypoint);
    assert.deepEqual(workloadOf(model, 'default', 'web-1').authorization_policies, []);
  });
});
