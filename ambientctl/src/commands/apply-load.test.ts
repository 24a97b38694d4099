import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyOrder, loadManifests, parseManifests, type Manifest } from './apply-load.ts';

function describeAll(ms: Manifest[]): string[] {
  return ms.map((m) => ('object' in m ? `${m.source} -> ${m.object.kind}/${m.object.metadata.name}` : `${m.source} !! ${m.error}`));
}

describe('apply manifest loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apply-load-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('splits multi-document YAML, skips empty documents and expands Lists', () => {
    const text = [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}',
      '',
      'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c1}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c2}}',
    ].join('\n---\n');
    assert.deepEqual(describeAll(parseManifests(text, 'f.yaml')), [
      'f.yaml: document 1 -> Namespace/a',
      'f.yaml: document 3, item 1 -> ConfigMap/c1',
      'f.yaml: document 3, item 2 -> ConfigMap/c2',
    ]);
  });

  it('names the document of every problem and keeps the good ones', () => {
    const text = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}',
      'kind: ConfigMap\nmetadata: {name: x}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: g-}',
      '- just a list',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup, name: again}',
    ].join('\n---\n');
    const got = describeAll(parseManifests(text, 'bad.yaml'));
    assert.equal(got[0], 'bad.yaml: document 1 -> ConfigMap/ok');
    assert.equal(got[1], 'bad.yaml: document 2 !! apiVersion is missing');
    assert.match(got[2]!, /^bad\.yaml: document 3 !! invalid YAML: /);
    assert.equal(got[3], 'bad.yaml: document 4 !! ConfigMap: generateName cannot be used with apply; set metadata.name');
    assert.equal(got[4], 'bad.yaml: document 5 !! expected an object (a mapping), got a list');
    assert.match(got[5]!, /^bad\.yaml: document 6 !! invalid YAML: .*unique/i);
    assert.equal(got.length, 6);
  });

  it('reads directories recursively (.yaml, .yml, .json only, sorted), files and stdin', () => {
    mkdirSync(join(dir, 'm/sub'), { recursive: true });
    writeFileSync(join(dir, 'm/b.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n');
    writeFileSync(join(dir, 'm/a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }));
    writeFileSync(join(dir, 'm/sub/c.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    writeFileSync(join(dir, 'm/README.md'), '# not a manifest');
    const got = describeAll(loadManifests([join(dir, 'm'), '-', join(dir, 'missing.yaml')], () => 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}'));
    assert.deepEqual(got, [
      `${join(dir, 'm/a.json')}: document 1 -> ConfigMap/a`,
      `${join(dir, 'm/b.yaml')}: document 1 -> ConfigMap/b`,
      `${join(dir, 'm/sub/c.yml')}: document 1 -> ConfigMap/c`,
      '<stdin>: document 1 -> Secret/s',
      `${join(dir, 'missing.yaml')} !! cannot read: ENOENT`,
    ]);
  });

  it('puts Namespaces, then CRDs first, otherwise keeping the order', () => {
    const ms = parseManifests(
      [
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}',
        'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: n}',
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x.example.com}',
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: n}',
      ].join('\n---\n'),
      'o.yaml',
    );
    assert.deepEqual(
      applyOrder(ms).map((m) => ('object' in m ? m.object.kind : 'error')),
      ['Namespace', 'CustomResourceDefinition', 'ConfigMap', 'AuthorizationPolicy'],
    );
  });
});
