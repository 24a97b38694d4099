// Runs the real CLI in a child process: `ambientctl x authz convert|check`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const BIN = fileURLToPath(new URL('../../bin/ambientctl.js', import.meta.url));
let dir = '';

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'x', 'authz', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const POLICIES = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-sleep, namespace: app}
spec:
  rules:
  - from: [{source: {principals: ["cluster.local/ns/client/sa/sleep"]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-admin, namespace: app}
spec:
  action: DENY
  rules:
  - to: [{operation: {ports: ["9000"]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: dry-deny, namespace: app, annotations: {istio.io/dry-run: "true"}}
spec:
  action: DENY
  rules:
  - to: [{operation: {ports: ["8080"]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: only-db, namespace: app}
spec:
  selector: {matchLabels: {app: db}}
  rules:
  - from: [{source: {namespaces: ["backend"]}}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`;

const SLEEP = 'spiffe://cluster.local/ns/client/sa/sleep';
const OTHER = 'spiffe://cluster.local/ns/client/sa/other';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'x-authz-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('convert prints the resources istiod would send, static strict last', () => {
  const r = run('convert', '-f', file('convert.yaml', POLICIES));
  assert.equal(r.status, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { name: string; dryRun?: boolean; scope?: string });
  assert.deepEqual(docs.map((d) => d.name), ['allow-sleep', 'deny-admin', 'dry-deny', 'only-db', 'istio_converted_static_strict']);
  assert.equal(docs[2]?.dryRun, true);
  assert.equal(docs[3]?.scope, 'WORKLOAD_SELECTOR');
  assert.deepEqual(docs[1], {
    name: 'deny-admin',
    namespace: 'app',
    scope: 'NAMESPACE',
    action: 'DENY',
    groups: [{ rules: [{ matches: [{ destinationPorts: [9000] }] }] }],
  });
});

test('convert warns about HTTP attributes on stderr', () => {
  const r = run('convert', '-f', file('http.yaml', 'kind: AuthorizationPolicy\nmetadata: {name: h, namespace: n}\nspec:\n  rules:\n  - to: [{operation: {methods: [GET]}}]\n'));
  assert.equal(r.status, 0);
  assert.match(r.stderr, /AuthorizationPolicy n\/h: ztunnel does not support HTTP attributes \(found: methods\)/);
});

describe('check decides like ztunnel', () => {
  const cases = [
    { name: 'matching ALLOW', args: ['--identity', SLEEP, '--dst', '10.0.0.1:8000'], decision: 'allow', policy: 'app/allow-sleep', reason: /^allowed by ALLOW policy app\/allow-sleep$/ },
    { name: 'no ALLOW matches another identity', args: ['--identity', OTHER, '--dst', '10.0.0.1:8000'], decision: 'deny', policy: null, reason: /^no ALLOW policy matched/ },
    { name: 'plaintext never matches a principal', args: ['--dst', '10.0.0.1:8000'], decision: 'deny', policy: null, reason: /^no ALLOW policy matched/ },
    { name: 'DENY beats a matching ALLOW', args: ['--identity', SLEEP, '--dst', '10.0.0.1:9000'], decision: 'deny', policy: 'app/deny-admin', reason: /^denied by DENY policy app\/deny-admin$/ },
    {
      name: 'dry-run DENY is only reported',
      args: ['--identity', SLEEP, '--dst', '10.0.0.1:8080'],
      decision: 'allow',
      policy: 'app/allow-sleep',
      reason: /^allowed by ALLOW policy app\/allow-sleep; dry-run: would deny \(denied by DENY policy app\/dry-deny; matched: app\/dry-deny\)$/,
    },
    { name: 'other namespace has no policies', args: ['--dst', '10.0.0.1:8000', '--dst-namespace', 'web'], decision: 'allow', policy: null, reason: /^no ALLOW policy applies$/ },
    {
      name: 'static strict applies when the workload lists it',
      args: ['--dst', '10.0.0.1:8000', '--dst-namespace', 'web', '--workload-policies', 'istio-system/istio_converted_static_strict'],
      decision: 'deny',
      policy: 'istio-system/istio_converted_static_strict',
      reason: /^denied by DENY policy/,
    },
    {
      name: 'selector policy adds an ALLOW when listed',
      args: ['--identity', 'spiffe://cluster.local/ns/backend/sa/api', '--dst', '[fd00::1]:5432', '--workload-policies', 'app/only-db'],
      decision: 'allow',
      policy: 'app/only-db',
      reason: /^allowed by ALLOW policy app\/only-db$/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const path = file('policies.yaml', POLICIES);
      const args = ['check', '-f', path, '--src', '10.0.9.9:40000', '-o', 'json', ...c.args];
      if (!c.args.includes('--dst-namespace')) args.push('--dst-namespace', 'app');
      const r = run(...args);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { decision: string; policy: string | null; reason: string };
      assert.deepEqual(Object.keys(out), ['decision', 'policy', 'reason']);
      assert.equal(out.decision, c.decision);
      assert.equal(out.policy, c.policy);
      assert.match(out.reason, c.reason);
    });
  }
});

test('check accepts the output of convert and decides the same', () => {
  const converted = run('convert', '-f', file('src.yaml', POLICIES));
  assert.equal(converted.status, 0);
  const path = file('converted.yaml', converted.stdout);
  for (const port of ['8000', '8080', '9000']) {
    const common = ['--dst-namespace', 'app', '--dst', `10.0.0.1:${port}`, '--src', '10.0.9.9:1', '--identity', SLEEP, '-o', 'json'];
    const fromObjects = run('check', '-f', file('src.yaml', POLICIES), ...common);
    const fromConverted = run('check', '-f', path, ...common);
    assert.equal(fromConverted.status, 0, fromConverted.stderr);
    assert.equal(fromConverted.stdout, fromObjects.stdout, `port ${port}`);
  }
});

test('a dry-run ALLOW that would deny is reported, the decision stays allow', () => {
  const path = file(
    'dry-allow.yaml',
    'kind: AuthorizationPolicy\nmetadata: {name: dry-allow, namespace: web, annotations: {istio.io/dry-run: "true"}}\nspec:\n  rules: [{from: [{source: {namespaces: [frontend]}}]}]\n',
  );
  const r = run('check', '-f', path, '--dst-namespace', 'web', '--dst', '10.0.0.1:80', '--src', '10.0.0.2:1', '-o', 'json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    decision: 'allow',
    policy: null,
    reason: 'no ALLOW policy applies; dry-run: would deny (no ALLOW policy matched (1 apply to namespace web: web/dry-allow); matched: none)',
  });
});

test('text output names the decision and the policy', () => {
  const r = run('check', '-f', file('p.yaml', POLICIES), '--dst-namespace', 'app', '--dst', '10.0.0.1:9000', '--src', '10.0.9.9:1');
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), 'DENY by app/deny-admin: denied by DENY policy app/deny-admin');
});

describe('bad input exits 2 with a message', () => {
  const base = (f: string) => ['check', '-f', f, '--dst-namespace', 'app', '--dst', '10.0.0.1:80', '--src', '10.0.0.2:1'];
  const cases: { name: string; args: () => string[]; stderr: RegExp }[] = [
    { name: 'missing file', args: () => base(join(dir, 'nope.yaml')), stderr: /ambientctl: cannot read .*nope.yaml: ENOENT/ },
    { name: 'broken YAML', args: () => base(file('broken.yaml', 'a: [1,\n')), stderr: /ambientctl: .*broken.yaml: document 1:/ },
    {
      name: 'unknown action',
      args: () => base(file('action.yaml', 'kind: AuthorizationPolicy\nmetadata: {name: p, namespace: n}\nspec: {action: PERMIT}\n')),
      stderr: /ambientctl: AuthorizationPolicy n\/p: spec.action must be one of ALLOW, DENY, AUDIT, CUSTOM, got "PERMIT"/,
    },
    {
      name: 'invalid CIDR',
      args: () => base(file('cidr.yaml', 'kind: AuthorizationPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  rules: [{from: [{source: {ipBlocks: [300.0.0.0/8]}}]}]\n')),
      stderr: /ipBlocks\[0\] must be an IP address or CIDR, got "300.0.0.0\/8"/,
    },
    {
      name: 'malformed converted resource',
      args: () => base(file('res.yaml', 'name: p\naction: MAYBE\n')),
      stderr: /ambientctl: Authorization \/p: action must be ALLOW or DENY/,
    },
    { name: 'bad identity', args: () => [...base(file('ok.yaml', POLICIES)), '--identity', 'cluster.local/ns/a/sa/b'], stderr: /ambientctl: invalid SPIFFE ID/ },
    { name: 'bad --dst', args: () => ['check', '-f', file('ok.yaml', POLICIES), '--dst-namespace', 'app', '--dst', '10.0.0.1', '--src', '1.1.1.1:1'], stderr: /--dst must be <ip>:<port>/ },
    { name: 'bad --src', args: () => ['check', '-f', file('ok.yaml', POLICIES), '--dst-namespace', 'app', '--dst', '10.0.0.1:1', '--src', 'x:1'], stderr: /--src must be <ip>:<port>/ },
    { name: 'missing required option', args: () => ['check', '-f', file('ok.yaml', POLICIES), '--dst', '10.0.0.1:1', '--src', '1.1.1.1:1'], stderr: /required option '--dst-namespace <ns>' not specified/ },
    { name: 'bad output format', args: () => [...base(file('ok.yaml', POLICIES)), '-o', 'xml'], stderr: /--output must be text or json/ },
    { name: 'bad workload policy name', args: () => [...base(file('ok.yaml', POLICIES)), '--workload-policies', 'justname'], stderr: /entries must be <namespace>\/<name>/ },
    { name: 'convert without -f', args: () => ['convert'], stderr: /required option '-f, --file <file>' not specified/ },
    { name: 'unknown subcommand option', args: () => ['convert', '-f', file('ok.yaml', POLICIES), '--bogus'], stderr: /unknown option '--bogus'/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = run(...c.args());
      assert.equal(r.status, 2, `stdout: ${r.stdout} stderr: ${r.stderr}`);
      assert.match(r.stderr, c.stderr);
      assert.equal(r.stdout, '');
    });
  }
});
