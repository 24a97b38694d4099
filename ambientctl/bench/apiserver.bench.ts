// Benchmark (not a test): 10,000 ConfigMaps created, listed, and watched by 5 client-node informers; checks that
// every informer saw every add and delete, and prints list latency and watch event throughput.
// Creates go over one keep-alive HTTPS agent (as a controller's client would); informers are client-node's.
// Run: npx node ambientctl/bench/apiserver.bench.ts [objects] [informers]
import { CoreV1Api, KubeConfig, makeInformer } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'node:https';
import { startApiServer } from '../src/local/apiserver/index.ts';

const OBJECTS = Number(process.argv[2] ?? 10_000);
const INFORMERS = Number(process.argv[3] ?? 5);
const CREATE_CONCURRENCY = 16;
const WAIT_LIMIT_MS = 120_000;

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One request over a keep-alive agent: client-node opens a connection per call, which would dominate the figures. */
function send(agent: Agent, url: string, token: string, method: string, path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body) headers['content-type'] = 'application/json';
    const req = request(`${url}${path}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const server = await startApiServer({ port: 0 });
try {
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const agent = new Agent({ keepAlive: true, maxSockets: CREATE_CONCURRENCY, ca: server.caCertPem });
  const api = (method: string, path: string, body?: string): Promise<string> => send(agent, server.url, server.token, method, path, body);
  await core.createNamespace({ body: { metadata: { name: 'bench' } } });

  let stopping = false;
  const counts = Array.from({ length: INFORMERS }, () => ({ add: 0, del: 0 }));
  const informers = counts.map((c) => {
    const inf = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/bench/configmaps', () => core.listNamespacedConfigMap({ namespace: 'bench' }));
    inf.on('add', () => c.add++);
    inf.on('delete', () => c.del++);
    // stop() aborts the watch, which the informer reports as an error; only earlier errors matter.
    inf.on('error', (e) => {
      if (!stopping) console.error('informer error', e);
    });
    return inf;
  });
  await Promise.all(informers.map((i) => i.start()));

  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, async () => {
    while (next < OBJECTS) {
      const i = next++;
      await api('POST', '/api/v1/namespaces/bench/configmaps', JSON.stringify({ metadata: { name: `cm-${i}`, labels: { shard: String(i % 10) } }, data: { i: String(i) } }));
    }
  }));
  const tCreated = performance.now();
  await until('all adds at every informer', () => counts.every((c) => c.add >= OBJECTS));
  const tSeen = performance.now();

  const time = async (runs: number, f: () => Promise<unknown>): Promise<number[]> => {
    const out: number[] = [];
    for (let r = 0; r < runs; r++) {
      const s0 = performance.now();
      await f();
      out.push(performance.now() - s0);
    }
    return out;
  };
  const rawFull = await time(5, async () => {
    const n = (JSON.parse(await api('GET', '/api/v1/namespaces/bench/configmaps')) as { items: unknown[] }).items.length;
    if (n !== OBJECTS) throw new Error(`list returned ${n} of ${OBJECTS}`);
  });
  const clientFull = await time(3, () => core.listNamespacedConfigMap({ namespace: 'bench' }));
  const selected = await time(5, () => api('GET', '/api/v1/namespaces/bench/configmaps?labelSelector=shard+in+%281%2C2%29'));
  let pages = 0;
  let paged = 0;
  const ps = performance.now();
  let cont: string | undefined;
  do {
    const l = JSON.parse(await api('GET', `/api/v1/namespaces/bench/configmaps?limit=500${cont ? `&continue=${cont}` : ''}`)) as { items: unknown[]; metadata: { continue?: string } };
    pages++;
    paged += l.items.length;
    cont = l.metadata.continue;
  } while (cont);
  const pagedMs = performance.now() - ps;

  const d0 = performance.now();
  await api('DELETE', '/api/v1/namespaces/bench/configmaps');
  await until('all deletes at every informer', () => counts.every((c) => c.del >= OBJECTS));
  const dMs = performance.now() - d0;
  stopping = true;
  await Promise.all(informers.map((i) => i.stop()));

  const lost = counts.filter((c) => c.add !== OBJECTS || c.del !== OBJECTS);
  console.log(`objects: ${OBJECTS}, informers: ${INFORMERS}`);
  console.log(`create: ${(tCreated - t0).toFixed(0)} ms (${(OBJECTS / ((tCreated - t0) / 1000)).toFixed(0)} creates/s, ${CREATE_CONCURRENCY} in flight)`);
  console.log(`watch adds: ${INFORMERS * OBJECTS} events delivered in ${(tSeen - t0).toFixed(0)} ms from first create (${((INFORMERS * OBJECTS) / ((tSeen - t0) / 1000)).toFixed(0)} events/s); last one ${(tSeen - tCreated).toFixed(0)} ms after the last create`);
  console.log(`watch deletes: ${INFORMERS * OBJECTS} events in ${dMs.toFixed(0)} ms (${((INFORMERS * OBJECTS) / (dMs / 1000)).toFixed(0)} events/s, one deletecollection)`);
  console.log(`list all ${OBJECTS} (HTTP + JSON.parse): median ${median(rawFull).toFixed(1)} ms (min ${Math.min(...rawFull).toFixed(1)}, max ${Math.max(...rawFull).toFixed(1)})`);
  console.log(`list all ${OBJECTS} through client-node (typed models): median ${median(clientFull).toFixed(1)} ms`);
  console.log(`list with labelSelector (20%): median ${median(selected).toFixed(1)} ms`);
  console.log(`paged list, limit 500: ${pages} pages, ${paged} items, ${pagedMs.toFixed(0)} ms`);
  console.log(lost.length === 0 ? 'no lost events: every informer saw every add and delete' : `LOST EVENTS: ${JSON.stringify(counts)}`);
  if (lost.length > 0) process.exitCode = 1;
} finally {
  await server.close();
}
// Keep-alive sockets of the agent are destroyed by close(); nothing else keeps the process alive.
