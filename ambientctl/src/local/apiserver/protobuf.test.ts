import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.ts';
import { decodeKubeProtobuf } from './protobuf.ts';

// A tiny protobuf writer for building bodies the way kubectl's encoder lays them out.
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
const bytes = (no: number, b: Buffer | string): Buffer => {
  const buf = Buffer.from(b);
  return Buffer.concat([varint((no << 3) | 2), varint(buf.length), buf]);
};
const num = (no: number, n: number): Buffer => Buffer.concat([varint(no << 3), varint(n)]);
const entry = (no: number, k: string, v: string): Buffer => bytes(no, Buffer.concat([bytes(1, k), bytes(2, v)]));
const envelope = (apiVersion: string, kind: string, object: Buffer): Buffer =>
  Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytes(1, Buffer.concat([bytes(1, apiVersion), bytes(2, kind)])), bytes(2, object), bytes(3, ''), bytes(4, '')]);
// ObjectMeta as kubectl sends it: unset strings still appear, empty.
const meta = (name: string, namespace = ''): Buffer => Buffer.concat([bytes(1, name), bytes(2, ''), bytes(3, namespace), bytes(4, ''), bytes(5, ''), bytes(6, ''), num(7, 0)]);

describe('decodeKubeProtobuf', () => {
  it('decodes the Namespace of `kubectl create namespace x`', () => {
    const body = envelope('v1', 'Namespace', Buffer.concat([bytes(1, meta('x')), bytes(2, ''), bytes(3, '')]));
    assert.deepEqual(decodeKubeProtobuf(body), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, spec: {} });
  });

  it('decodes a ConfigMap with data, labels and namespace', () => {
    const m = Buffer.concat([meta('cm', 'x'), entry(11, 'app', 'web')]);
    const body = envelope('v1', 'ConfigMap', Buffer.concat([bytes(1, m), entry(2, 'a', '1'), entry(2, 'b', '2')]));
    assert.deepEqual(decodeKubeProtobuf(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x', labels: { app: 'web' } }, data: { a: '1', b: '2' } });
  });

  it('decodes a TokenRequest with audiences, expiry and a bound pod', () => {
    const ref = Buffer.concat([bytes(1, 'Pod'), bytes(2, 'v1'), bytes(3, 'p1'), bytes(4, 'u1')]);
    const spec = Buffer.concat([bytes(1, 'istio-ca'), bytes(3, ref), num(4, 7200)]);
    const body = envelope('authentication.k8s.io/v1', 'TokenRequest', Buffer.concat([bytes(1, meta('')), bytes(2, spec)]));
    assert.deepEqual(decodeKubeProtobuf(body)['spec'], { audiences: ['istio-ca'], expirationSeconds: 7200, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: 'u1' } });
  });

  // Bodies recorded from kubectl 1.32: `create deployment d -n x --image=img --port=80 --replicas=2 -- cmd a1`
  // and `create service clusterip s -n x --tcp=80:8080`.
  const DEPLOYMENT = '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b6010a1c0a016412001a017822002a003200380042005a080a036170701201641287010802120a0a080a036170701201641a6f0a1a0a0012001a0022002a003200380042005a080a03617070120164125112330a03696d671203696d671a03636d641a0261312a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200';
  const SERVICE = '6b3873000a0d0a02763112075365727669636512640a1c0a017312001a017822002a003200380042005a080a0361707012017312400a1b0a0738302d38303830120354435018502207080010903f1a00280012080a036170701201731a002209436c757374657249503a00420052005a00600068001a020a001a002200';

  it('decodes the Deployment of `kubectl create deployment`', () => {
    assert.deepEqual(decodeKubeProtobuf(Buffer.from(DEPLOYMENT, 'hex')), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'x', labels: { app: 'd' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'img', image: 'img', command: ['cmd', 'a1'], ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
      },
    });
  });

  it('decodes the Service of `kubectl create service clusterip`', () => {
    assert.deepEqual(decodeKubeProtobuf(Buffer.from(SERVICE, 'hex')), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'x', labels: { app: 's' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 's' }, type: 'ClusterIP' },
    });
  });

  const bad: [string, Buffer, number, RegExp][] = [
    ['no magic', Buffer.from('{"kind":"Namespace"}'), 400, /magic bytes/],
    ['truncated field', Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, 0x40, 0x01])]), 400, /truncated/],
    ['unsupported kind', envelope('apps/v1', 'StatefulSet', bytes(1, meta('d'))), 415, /kind "StatefulSet"/],
    ['bad wire type', Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0b])]), 400, /wire type 3/],
  ];
  for (const [name, body, status, msg] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(() => decodeKubeProtobuf(body), (e: unknown) => e instanceof ApiError && e.status === status && msg.test(e.message));
    });
  }
});
