// kubectl (a real client we did not write) against the local API server: get, create (protobuf body), create -f,
// apply -f (with default validation, so OpenAPI is used), label, annotate, get -w, delete.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { startApiServer } from '../src/local/apiserver/index.ts';
import type { ApiServer } from '../src/local/apiserver/index.ts';
import { raw, waitFor } from './apiserver-helpers.ts';

const KUBECTL_TIMEOUT_MS = 30_000;

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The real kubectl binaries to test with: `$KUBECTL` (a path-list) if set; otherwise `kubectl` from PATH. When
 * that is the Cloud SDK dispatcher (it adds requests of its own), the newest real `kubectl.1.N` beside it is
 * used instead. Debian's `kubernetes-client` package installs a plain one.
 */
function findKubectls(): string[] {
  const fromEnv = process.env['KUBECTL'];
  if (fromEnv) return fromEnv.split(delimiter).filter((p) => p !== '');
  const onPath = (process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, 'kubectl')).find((p) => existsSync(p) && executable(p));
  if (!onPath) return [];
  let version = '';
  try {
    version = execFileSync(onPath, ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  if (!version.includes('dispatcher')) return [onPath];
  const dir = dirname(realpathSync(onPath));
  const real = readdirSync(dir)
    .map((f) => /^kubectl\.1\.(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .map((m) => join(dir, m[0]));
  return real.slice(0, 1);
}

const OBJECTS = (cmData: string, action: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm1
  namespace: kt
data:
${cmData}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ap1
  namespace: kt
spec:
  action: ${action}
`;

const kubectls = findKubectls();

describe('local apiserver with kubectl', { skip: kubectls.length === 0 ? 'no kubectl found: install Debian package kubernetes-client or set KUBECTL' : false }, () => {
  for (const bin of kubectls) {
    describe(bin, () => {
      let server: ApiServer;
      let dir: string;

      const kubectl = (...args: string[]): Promise<{ code: number; out: string; err: string }> =>
        new Promise((resolve) => {
          execFile(bin, ['--kubeconfig', server.kubeconfigPath, '--cache-dir', join(dir, 'cache'), ...args], { timeout: KUBECTL_TIMEOUT_MS }, (error, out, err) => {
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
          });
        });
      const ok = async (...args: string[]): Promise<string> => {
        const r = await kubectl(...args);
        assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.err}`);
        return r.out;
      };
      const getJson = async (path: string): Promise<Record<string, unknown>> => {
        const r = await raw(server, 'GET', path);
        assert.equal(r.status, 200, `${path}: ${r.text}`);
        return r.json();
      };

      before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'apiserver-kubectl-'));
        server = await startApiServer({ port: 0, dataDir: join(dir, 'data') });
      });
      after(async () => {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it('gets namespaces and the version', async () => {
        assert.match(await ok('get', 'ns'), /^default\s/m);
        assert.match(await ok('get', '--raw', '/version'), /"gitVersion"/);
      });

      it('creates a namespace (protobuf body) and labels and annotates it', async () => {
        assert.match(await ok('create', 'namespace', 'kt'), /namespace\/kt created/);
        assert.match(await ok('label', 'ns', 'kt', 'team=mesh'), /labeled/);
        assert.match(await ok('annotate', 'ns', 'kt', 'note=hi'), /annotated/);
        const ns = await getJson('/api/v1/namespaces/kt');
        const meta = ns['metadata'] as { labels: Record<string, string>; annotations: Record<string, string> };
        assert.equal(meta.labels['team'], 'mesh');
        assert.equal(meta.annotations['note'], 'hi');
        assert.match(await ok('get', 'ns', '-l', 'team=mesh'), /^kt\s/m);
        assert.doesNotMatch(await ok('get', 'ns', '-l', 'team!=mesh'), /^kt\s/m);
      });

      it('creates a deployment, a service, a configmap and a service account with typed create commands', async () => {
        assert.match(await ok('create', 'deployment', 'web', '-n', 'kt', '--image=img', '--port=80', '--replicas=2'), /deployment\.apps\/web created/);
        assert.match(await ok('create', 'service', 'clusterip', 'web', '-n', 'kt', '--tcp=80:8080'), /service\/web created/);
        assert.match(await ok('create', 'configmap', 'cfg', '-n', 'kt', '--from-literal=a=b'), /configmap\/cfg created/);
        assert.match(await ok('create', 'serviceaccount', 'sa1', '-n', 'kt'), /serviceaccount\/sa1 created/);
        const dep = await getJson('/apis/apps/v1/namespaces/kt/deployments/web');
        assert.equal((dep['spec'] as { replicas: number }).replicas, 2);
        const svc = await getJson('/api/v1/namespaces/kt/services/web');
        const spec = svc['spec'] as { clusterIP: string; ports: { port: number; targetPort: number }[] };
        assert.match(spec.clusterIP, /^10\.96\./);
        assert.deepEqual([spec.ports[0]?.port, spec.ports[0]?.targetPort], [80, 8080]);
        assert.deepEqual((await getJson('/api/v1/namespaces/kt/configmaps/cfg'))['data'], { a: 'b' });
        await ok('delete', 'deployment', 'web', '-n', 'kt');
        await ok('delete', 'service', 'web', '-n', 'kt');
        await ok('delete', 'configmap', 'cfg', '-n', 'kt');
      });

      it('creates and deletes objects from a file', async () => {
        const file = join(dir, 'objs.yaml');
        writeFileSync(file, OBJECTS('  k1: v1', 'ALLOW'));
        const created = await ok('create', '-f', file);
        assert.match(created, /configmap\/cm1 created/);
        assert.match(created, /authorizationpolicy\.security\.istio\.io\/ap1 created/);
        assert.equal(((await getJson('/apis/security.istio.io/v1/namespaces/kt/authorizationpolicies/ap1'))['spec'] as { action: string }).action, 'ALLOW');
        const deleted = await ok('delete', '-f', file);
        assert.match(deleted, /configmap "cm1" deleted/);
        assert.equal((await raw(server, 'GET', '/api/v1/namespaces/kt/configmaps/cm1')).status, 404);
      });

      it('applies objects, then applies changes to them', async () => {
        const file = join(dir, 'apply.yaml');
        writeFileSync(file, OBJECTS('  k1: v1\n  k2: v2', 'ALLOW'));
        assert.match(await ok('apply', '-f', file), /configmap\/cm1 created/);
        writeFileSync(file, OBJECTS('  k2: v2changed\n  k3: v3', 'DENY'));
        const second = await ok('apply', '-f', file);
        assert.match(second, /configmap\/cm1 configured/);
        assert.match(second, /authorizationpolicy\.security\.istio\.io\/ap1 configured/);
        const cm = await getJson('/api/v1/namespaces/kt/configmaps/cm1');
        assert.deepEqual(cm['data'], { k2: 'v2changed', k3: 'v3' });
        const ap = await getJson('/apis/security.istio.io/v1/namespaces/kt/authorizationpolicies/ap1');
        assert.equal((ap['spec'] as { action: string }).action, 'DENY');
        assert.match(await ok('apply', '-f', file), /configmap\/cm1 unchanged/);
      });

      it('streams changes with get -w', async () => {
        const child = spawn(bin, ['--kubeconfig', server.kubeconfigPath, '--cache-dir', join(dir, 'cache'), 'get', 'configmaps', '-n', 'kt', '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        const killer = setTimeout(() => child.kill('SIGKILL'), KUBECTL_TIMEOUT_MS);
        try {
          await waitFor('the initial list', () => /^cm1\s/m.test(out), KUBECTL_TIMEOUT_MS);
          const r = await raw(server, 'POST', '/api/v1/namespaces/kt/configmaps', { body: JSON.stringify({ metadata: { name: 'watched' } }), contentType: 'application/json' });
          assert.equal(r.status, 201);
          await waitFor('the watched configmap in kubectl output', () => /^watched\s/m.test(out), KUBECTL_TIMEOUT_MS);
        } finally {
          clearTimeout(killer);
          child.kill('SIGKILL');
        }
      });

      it('deletes the namespace and reports it gone', async () => {
        assert.match(await ok('delete', 'ns', 'kt'), /namespace "kt" deleted/);
        const r = await kubectl('get', 'ns', 'kt');
        assert.notEqual(r.code, 0);
        assert.match(r.err, /NotFound|not found/);
      });
    });
  }
});
