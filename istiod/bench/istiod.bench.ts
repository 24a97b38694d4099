// Benchmark (not a test): istiod over a large cluster in the local API server. Prints the time from istiod's
// start to the first full push a ztunnel-like delta client receives, and the time and bytes of the push one pod
// change causes; the model build alone (same objects, same process) is the baseline the push times are set
// against. Run: npm run bench -- istiod   (or npx node istiod/bench/istiod.bench.ts [pods] [services])
import { Agent, request } from 'node:https';
import type { RequestOptions } from 'node:https';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@mesh/common/log';
import { ProtoCodec, TYPE_URL } from '@mesh/common/proto';
import { startLocalApiServer } from '@mesh/common/testing';
import { loadAdsService } from '@mesh/common/xds';
import { loadConfig } from '../src/config.ts';
import { startIstiod } from '../src/istiod.ts';
import { WATCHED_KINDS, listRaw } from '../src/kube/index.ts';
import { buildModel } from '../src/model/index.ts';
import type { ClusterObjects } from '../src/model/index.ts';
import { toStoredResources } from '../src/push/index.ts';

const PODS = Number(process.argv[2] ?? 10_000);
const SERVICES = Number(process.argv[3] ?? 2_000);
const NAMESPACES = 20;
const CREATE_CONCURRENCY = 16;
const WAIT_LIMIT_MS = 300_000;
const NODE_ID = 'ztunnel~10.244.0.2~ztunnel-node-0.istio-system~istio-system.svc.cluster.local';

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Requests over one keep-alive agent, authenticated as the kubeconfig says (client-node opens a connection per call). */
async function apiClient(kc: KubeConfig): Promise<(method: string, path: string, body?: unknown) => Promise<void>> {
  const base: RequestOptions = {};
  await kc.applyToHTTPSOptions(base);
  const agent = new Agent({ keepAlive: true, maxSockets: CREATE_CONCURRENCY, ...(base.ca ? { ca: base.ca } : {}) });
  const server = kc.getCurrentCluster()?.server ?? '';
  const once = (method: string, path: string, body: unknown, retried: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
      const headers = { ...(base.headers as Record<string, string>), 'content-type': contentType };
      const req = request(`${server}${path}`, { method, agent, headers }, (res) => {
        res.resume();
        // A retried create that had in fact succeeded answers 409: that is success too.
        const ok = (res.statusCode ?? 0) < 300 || (retried && res.statusCode === 409);
        res.on('end', () => (ok ? resolve() : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  return async (method, path, body) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(method, path, body, attempt > 0);
      } catch (err) {
        // A keep-alive socket the server closed while idle resets; retry on a fresh one.
        if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' || attempt >= 3) throw err;
      }
    }
  };
}

async function parallel(count: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

const api = await startLocalApiServer();
const log = createLogger({ level: 'warn', format: 'text' });
try {
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const send = await apiClient(kc);
  await core.createNamespace({ body: { metadata: { name: 'istio-system' } } });
  await core.createNamespacedServiceAccount({ namespace: 'istio-system', body: { metadata: { name: 'ztunnel' } } });
  const token = (await core.createNamespacedServiceAccountToken({ name: 'ztunnel', namespace: 'istio-system', body: { spec: { audiences: ['istio-ca'] } } })).status?.token ?? '';
  const servicesPerNs = Math.ceil(SERVICES / NAMESPACES);
  for (let n = 0; n < NAMESPACES; n++) {
    await send('POST', '/api/v1/namespaces', { metadata: { name: `ns-${n}`, labels: { 'istio.io/dataplane-mode': 'ambient' } } });
  }
  const c0 = performance.now();
  await parallel(SERVICES, async (i) => {
    const ns = `ns-${i % NAMESPACES}`;
    const s = Math.floor(i / NAMESPACES);
    await send('POST', `/api/v1/namespaces/${ns}/services`, {
      metadata: { name: `svc-${s}` },
      spec: { selector: { app: `svc-${s}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
  });
  await parallel(PODS, async (i) => {
    const n = i % NAMESPACES;
    const p = Math.floor(i / NAMESPACES);
    const ip = `10.${100 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
    await send('POST', `/api/v1/namespaces/ns-${n}/pods`, {
      metadata: { name: `pod-${p}`, labels: { app: `svc-${p % servicesPerNs}` } },
      spec: { nodeName: `node-${i % 10}`, containers: [{ name: 'app', image: 'ambient/echo', ports: [{ containerPort: 8080 }] }] },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });
  const createdMs = performance.now() - c0;

  // Baseline: list everything and build the model in this process, as istiod does on its first push.
  const codec = ProtoCodec.load();
  const objects = Object.fromEntries(
    await Promise.all(WATCHED_KINDS.map(async (k) => [k.key, (await listRaw(kc, k.path)).items] as const)),
  ) as unknown as ClusterObjects;
  const meshOptions = { trustDomain: 'cluster.local', clusterId: 'Kubernetes', network: '', rootNamespace: 'istio-system', domainSuffix: 'cluster.local' };
  const builds: number[] = [];
  const encodes: number[] = [];
  let resources = 0;
  for (let r = 0; r < 3; r++) {
    const b0 = performance.now();
    const model = buildModel(objects, meshOptions);
    builds.push(performance.now() - b0);
    const e0 = performance.now();
    resources = toStoredResources(codec, 'istio.workload.Address', model.addresses).size;
    encodes.push(performance.now() - e0);
  }

  // istiod from cold, with a client that connects right away (its stream waits for the first push).
  const { config } = loadConfig({ ISTIOD_GRPC_ADDR: '127.0.0.1:0', ISTIOD_HTTP_ADDR: '127.0.0.1:0' });
  const s0 = performance.now();
  const istiod = await startIstiod(config, { kc, log, codec });
  try {
    const { Client } = loadAdsService();
    const client = new Client(`127.0.0.1:${istiod.grpcAddress.port}`, grpc.credentials.createSsl(Buffer.from(istiod.rootCertPem)), {
      'grpc.ssl_target_name_override': 'istiod.istio-system.svc',
      'grpc.max_receive_message_length': 200 * 1024 * 1024,
    }) as unknown as { DeltaAggregatedResources(md: grpc.Metadata): grpc.ClientDuplexStream<object, Record<string, unknown>>; close(): void };
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${token}`);
    const call = client.DeltaAggregatedResources(md);
    const responses: { at: number; bytes: number; resources: number; removed: number; nonce: string }[] = [];
    call.on('data', (r: Record<string, unknown>) => {
      const at = performance.now();
      const bytes = codec.encode('envoy.service.discovery.v3.DeltaDiscoveryResponse', r).length;
      const nonce = String(r['nonce']);
      responses.push({ at, bytes, nonce, resources: (r['resources'] as unknown[]).length, removed: (r['removed_resources'] as unknown[]).length });
      call.write({ type_url: TYPE_URL.ADDRESS, response_nonce: nonce });
    });
    call.on('error', () => {});
    call.write({ node: { id: NODE_ID }, type_url: TYPE_URL.ADDRESS });
    await until('the first full push', () => responses.length >= 1);
    const first = responses[0] as (typeof responses)[number];
    const firstMs = first.at - s0;
    await istiod.whenReady();

    // One pod change, five times: the annotation the node agent sets on enrollment.
    const changes: { ms: number; bytes: number; resources: number }[] = [];
    for (let k = 0; k < 5; k++) {
      const before = responses.length;
      const p0 = performance.now();
      await send('PATCH', `/api/v1/namespaces/ns-${k}/pods/pod-${k}`, { metadata: { annotations: { 'ambient.istio.io/redirection': 'enabled' } } });
      await until('the one-pod push', () => responses.length > before);
      const r = responses[before] as (typeof responses)[number];
      changes.push({ ms: r.at - p0, bytes: r.bytes, resources: r.resources });
      await new Promise((res) => setTimeout(res, 300)); // let any straggler show up as a separate push
    }
    const extra = responses.length - 1 - changes.length;
    call.cancel();
    client.close();

    const build = median(builds);
    console.log(`cluster: ${PODS} pods, ${SERVICES} services in ${NAMESPACES} namespaces (created in ${(createdMs / 1000).toFixed(1)} s, ${CREATE_CONCURRENCY} in flight)`);
    console.log(`baseline: model build alone (same objects, this process): median ${build.toFixed(0)} ms; encoding ${resources} Address resources: median ${median(encodes).toFixed(0)} ms`);
    console.log(`start → first full push received: ${firstMs.toFixed(0)} ms (${(firstMs / build).toFixed(1)}× the model build); ${first.resources} resources, ${(first.bytes / 1024 / 1024).toFixed(2)} MiB`);
    const med = median(changes.map((c) => c.ms));
    console.log(
      `one pod change → push received: median ${med.toFixed(0)} ms (${(med / build).toFixed(2)}× the model build; includes the ${config.debounceAfterMs} ms debounce), ` +
        `${median(changes.map((c) => c.bytes))} bytes, ${median(changes.map((c) => c.resources))} resource(s) per push`,
    );
    console.log(extra === 0 ? 'each pod change caused exactly one push' : `UNEXPECTED: ${extra} extra pushes`);
  } finally {
    await istiod.close();
  }
} finally {
  await api.close();
}
