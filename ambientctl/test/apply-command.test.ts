// `ambientctl apply` against the local API server: create, re-apply (unchanged / configured), Istio and CRD
// kinds, directories, namespaces, and errors that name the file and document while the rest still applies.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startLocalApiServer, type LocalApiServer } from '@mesh/common/testing';
import { runApply } from '../src/commands/apply.ts';
import { ApplyObjectApi, LAST_APPLIED, type ApplyTarget } from '../src/commands/apply-object.ts';

const CLI = fileURLToPath(new URL('../bin/ambientctl.js', import.meta.url));
const RUN_TIMEOUT_MS = 60_000;

const APP = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop, labels: {tier: web, team: a}}
data: {color: blue}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: ambient/echo, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
`;
const POLICY = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-other, namespace: shop}
spec:
  action: DENY
  rules: [{from: [{source: {namespaces: [other]}}]}]
`;
const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: shop}
spec: {size: 3}
`;

interface Collected {
  readonly out: string[];
  readonly err: string[];
}

describe('ambientctl apply', () => {
  let api: LocalApiServer;
  let dir: string;
  let target: ApplyTarget;
  let kc: KubeConfig;

  const apply = async (paths: string[], namespace?: string): Promise<Collected & { failures: number }> => {
    const c: Collected = { out: [], err: [] };
    const failures = await runApply(paths, { ...target, namespace }, { out: (l) => c.out.push(l), err: (l) => c.err.push(l) }, () => '');
    return { ...c, failures };
  };

  before(async () => {
    api = await startLocalApiServer();
    dir = mkdtempSync(join(tmpdir(), 'apply-test-'));
    kc = new KubeConfig();
    kc.loadFromFile(api.kubeconfigPath);
    target = { client: ApplyObjectApi.forConfig(kc), namespace: undefined, defaultNamespace: 'default' };
    mkdirSync(join(dir, 'm/policies'), { recursive: true });
    // File order puts the namespace last: apply still creates it first.
    writeFileSync(join(dir, 'm/app.yaml'), APP);
    writeFileSync(join(dir, 'm/policies/deny.yml'), POLICY);
    writeFileSync(join(dir, 'm/widgets.yaml'), CRD);
    writeFileSync(join(dir, 'm/zz-namespace.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await api.close();
  });

  it('creates every object of a directory, Namespaces and CRDs first, including Istio and CRD kinds', async () => {
    const r = await apply([join(dir, 'm')]);
    assert.deepEqual(r.err, []);
    assert.equal(r.failures, 0);
    assert.deepEqual(r.out, [
      'namespace/shop created',
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.com created',
      'configmap/settings created',
      'deployment.apps/web created',
      'service/web created',
      'authorizationpolicy.security.istio.io/deny-other created',
      'widget.example.com/w1 created',
    ]);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const policy = (await custom.getNamespacedCustomObject({ group: 'security.istio.io', version: 'v1', namespace: 'shop', plural: 'authorizationpolicies', name: 'deny-other' })) as {
      spec: unknown;
      metadata: { annotations: Record<string, string> };
    };
    assert.deepEqual(policy.spec, { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['other'] } }] }] });
    assert.ok(policy.metadata.annotations[LAST_APPLIED], 'the last applied manifest is recorded');
    const widget = (await custom.getNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'shop', plural: 'widgets', name: 'w1' })) as { spec: unknown };
    assert.deepEqual(widget.spec, { size: 3 });
    const crd = (await custom.getClusterCustomObject({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', name: 'widgets.example.com' })) as {
      spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] };
    };
    assert.equal(crd.spec.versions[0]?.schema.openAPIV3Schema['x-kubernetes-preserve-unknown-fields'], true, 'JSON field names survive the typed client');
  });

  it('reports unchanged on a re-apply, even with server-defaulted fields', async () => {
    const r = await apply([join(dir, 'm')]);
    assert.deepEqual(r.err, []);
    assert.ok(r.out.length === 7 && r.out.every((l) => l.endsWith(' unchanged')), r.out.join('\n'));
  });

  it('configures what changed: removed fields go, fields set by others stay', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const live = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'shop' });
    await core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'shop', body: { ...live, metadata: { ...live.metadata, labels: { ...live.metadata?.labels, added: 'by-someone' } } } });
    writeFileSync(join(dir, 'm/app.yaml'), APP.replace('labels: {tier: web, team: a}', 'labels: {tier: web}').replace('color: blue', 'color: green'));
    const r = await apply([join(dir, 'm/app.yaml')]);
    assert.deepEqual(r.out, ['configmap/settings configured', 'deployment.apps/web unchanged', 'service/web unchanged']);
    const cm = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'shop' });
    assert.deepEqual(cm.data, { color: 'green' });
    assert.deepEqual(cm.metadata?.labels, { tier: 'web', added: 'by-someone' });
  });

  it('puts objects without a namespace in -n and refuses one that names another', async () => {
    writeFileSync(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: default}\n');
    const r = await apply([join(dir, 'ns.yaml')], 'shop');
    assert.deepEqual(r.out, ['configmap/plain created']);
    assert.equal(r.failures, 1);
    assert.deepEqual(r.err, [`error: ${join(dir, 'ns.yaml')}: document 2: ConfigMap/elsewhere: the object's namespace "default" does not match --namespace "shop"`]);
    await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'plain', namespace: 'shop' });
  });

  it('names the file and document of bad YAML, unknown kinds and server refusals, and applies the rest', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good-1, namespace: shop}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops',
        'apiVersion: gadgets.example.com/v1\nkind: Gizmo\nmetadata: {name: g, namespace: shop}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: in-missing-ns, namespace: nowhere}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good-2, namespace: shop}',
      ].join('\n---\n'),
    );
    const r = await apply([file]);
    assert.deepEqual(r.out, ['configmap/good-1 created', 'configmap/good-2 created']);
    assert.equal(r.failures, 3);
    assert.match(r.err[0]!, new RegExp(`^error: ${file}: document 2: invalid YAML: `));
    assert.equal(r.err[1], `error: ${file}: document 3: Gizmo/g: the server does not serve kind "Gizmo" in apiVersion "gadgets.example.com/v1" (is its CRD installed?)`);
    assert.match(r.err[2]!, new RegExp(`^error: ${file}: document 4: ConfigMap/in-missing-ns: .*nowhere.* \\(HTTP 404\\)$`));
  });

  it('runs as a command: prints the outcome per object and exits 1 when anything failed', async () => {
    const good = join(dir, 'cli-good.yaml');
    writeFileSync(good, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-cli, namespace: shop}\ndata: {a: "1"}\n');
    const ok = await runCli(['apply', '-f', good, '--kubeconfig', api.kubeconfigPath]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'configmap/from-cli created\n');
    const bad = join(dir, 'cli-bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-cli, namespace: shop}\ndata: {a: "2"}\n---\nkind: Oops\n');
    const failed = await runCli(['apply', '-f', bad, '-f', good, '--kubeconfig', api.kubeconfigPath]);
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, 'configmap/from-cli configured\nconfigmap/from-cli configured\n');
    assert.equal(failed.stderr, `error: ${bad}: document 2: apiVersion is missing\n`);
    const usage = await runCli(['apply', '--kubeconfig', api.kubeconfigPath]);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /required option '-f, --filename <path>' not specified/);
  });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
