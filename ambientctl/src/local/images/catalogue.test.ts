import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { ECHO_MAIN, echoPortsSpec, imageRepository, isEchoImage, resolveImage } from './catalogue.ts';
import { ImageError } from './image-error.ts';

const pod: V1Pod = { metadata: { name: 'echo-1', namespace: 'demo', labels: { version: 'v2' } } };

describe('image catalogue', () => {
  it('strips tags and digests but keeps registry ports', () => {
    const cases: [string, string][] = [
      ['ambient/echo', 'ambient/echo'],
      ['ambient/echo:1.0', 'ambient/echo'],
      ['ambient/echo@sha256:abc', 'ambient/echo'],
      ['localhost:5000/ambient/echo:latest', 'localhost:5000/ambient/echo'],
      ['localhost:5000/app', 'localhost:5000/app'],
    ];
    for (const [image, repo] of cases) assert.equal(imageRepository(image), repo, image);
    assert.ok(isEchoImage('ambient/echo:latest'));
    assert.ok(isEchoImage('docker.io/ambient/echo'));
    assert.ok(!isEchoImage('ambient/echo-other'));
    assert.ok(!isEchoImage(undefined));
  });

  it('runs ambient/echo on Node 24 with PORTS from the TCP container ports and the args appended', () => {
    const container: V1Container = {
      name: 'app',
      image: 'ambient/echo:1.2',
      args: ['--version', 'v3'],
      ports: [
        { containerPort: 8080, name: 'http' },
        { containerPort: 9090, name: 'grpc' },
        { containerPort: 9000, name: 'tcp-raw' },
        { containerPort: 8081 },
        { containerPort: 5353, protocol: 'UDP', name: 'dns' },
      ],
      env: [{ name: 'SERVICE_VERSION', value: 'from-env' }, { name: 'X', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
    };
    const r = resolveImage(container, pod);
    assert.deepEqual(r.command, [process.execPath, ECHO_MAIN, '--version', 'v3']);
    assert.equal(r.env['PORTS'], '8080:http,9090:grpc,9000:tcp-raw,8081:http');
    assert.equal(r.env['POD_NAME'], 'echo-1');
    assert.equal(r.env['POD_NAMESPACE'], 'demo');
    assert.equal(r.env['SERVICE_VERSION'], 'from-env', "the container's literal env wins over the catalogue's");
    assert.equal(r.env['X'], undefined, 'valueFrom is left to the kubelet');
    assert.equal(echoPortsSpec({ name: 'c' }), '');
  });

  it('takes SERVICE_VERSION from the pod label and lets a command replace the echo entry point', () => {
    const r = resolveImage({ name: 'app', image: 'ambient/echo', command: ['sleep'], args: ['60'] }, pod);
    assert.deepEqual(r.command, ['sleep', '60']);
    assert.equal(r.env['SERVICE_VERSION'], 'v2');
  });

  it('runs other images from command and args', () => {
    assert.deepEqual(resolveImage({ name: 'c', image: 'busybox', command: ['python3', '-m'], args: ['http.server'] }).command, ['python3', '-m', 'http.server']);
    assert.deepEqual(resolveImage({ name: 'c', image: 'busybox', args: ['sleep', '5'] }).command, ['sleep', '5']);
    assert.deepEqual(resolveImage({ name: 'c', image: 'x', command: ['true'], env: [{ name: 'A', value: '1' }] }).env, { A: '1' });
  });

  it('refuses an unknown image without command or args, naming the pod and container', () => {
    assert.throws(
      () => resolveImage({ name: 'web', image: 'nginx:1.27' }, pod),
      (err: unknown) =>
        err instanceof ImageError && err.code === 'ERR_IMAGE_NO_COMMAND' && /pod demo\/echo-1 container "web"/.test(err.message) && /nginx:1\.27/.test(err.message),
    );
  });
});
