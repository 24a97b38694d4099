import { createSecureServer } from 'node:http2';
import type { Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServingCerts } from './certs.ts';
import { CrdController } from './crd-controller.ts';
import { loadOrCreateIdentity, newIdentity } from './data-dir.ts';
import { Discovery } from './discovery.ts';
import { createHandler } from './http-handler.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { OpenApi } from './openapi.ts';
import { loadSnapshot, SnapshotWriter } from './persistence.ts';
import { registerBuiltinKinds } from './builtin-kinds.ts';
import { ResourceRegistry } from './registry.ts';
import type { ResourceType, ResourceTypeInput } from './registry.ts';
import { ResourceHandler } from './resource-handler.ts';
import { ObjectStore } from './store.ts';
import type { KubeObject } from './store.ts';
import { TokenEndpoints } from './token-endpoints.ts';
import { TokenIssuer } from './tokens.ts';
import { nowTimestamp, newUid } from './object-meta.ts';
import { Deleter } from './deletion.ts';
import { GarbageCollector } from './garbage-collector.ts';
import { DEFAULT_SERVICE_CIDR, ServiceIpAllocator } from './service-ips.ts';

/** Defaults, with units in their names. */
export const DEFAULT_PORT = 6443;
export const DEFAULT_HISTORY_LIMIT = 20_000;
export const DEFAULT_KEEPALIVE_MS = 10_000;
export const DEFAULT_BOOKMARK_MS = 15_000;
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/** How to run the local API server. */
export interface ApiServerOptions {
  /** TCP port; 0 picks a free one. Default 6443. */
  readonly port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /**
   * Where the kubeconfig, CA, signing key and admin token live (kept across restarts). Without it they are
   * generated per run and the kubeconfig goes to a temporary directory removed on close.
   */
  readonly dataDir?: string;
  /** Also keep objects in `<dataDir>/objects.json` and load them at start. Default false (in memory). */
  readonly persist?: boolean;
  /** Events kept for resuming watches; a watch from an older resourceVersion gets 410. */
  readonly historyLimit?: number;
  readonly keepaliveMs?: number;
  readonly bookmarkMs?: number;
  readonly maxBodyBytes?: number;
  /** More names or IP addresses for the serving certificate (e.g. a bridge address pods reach it on). */
  readonly extraSans?: readonly string[];
  /** IPv4 CIDR Service cluster IPs come from. Default 10.96.0.0/16. */
  readonly serviceCidr?: string;
  /** One line per request, for `--verbose`. */
  readonly log?: (line: string) => void;
}

/** A running server. */
export interface ApiServer {
  /** `https://host:port` */
  readonly url: string;
  readonly port: number;
  readonly kubeconfigPath: string;
  /** The kubeconfig text (also written to kubeconfigPath). */
  readonly kubeconfig: string;
  /** The admin bearer token the kubeconfig carries. */
  readonly token: string;
  readonly caCertPem: string;
  /** Serves one more kind, as a CRD would. */
  registerKind(input: ResourceTypeInput): ResourceType;
  /** Stops serving, ends every watch and connection, and saves objects when persisting. */
  close(): Promise<void>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates the namespaces, service accounts and `kubernetes` Service every cluster starts with (if missing). */
function bootstrap(store: ObjectStore, serviceIps: ServiceIpAllocator, port: number): void {
  for (const ns of SYSTEM_NAMESPACES) {
    if (store.get('/namespaces', undefined, ns)) continue;
    const meta = { name: ns, uid: newUid(), creationTimestamp: nowTimestamp(), labels: { 'kubernetes.io/metadata.name': ns } };
    store.put('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: meta, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } as KubeObject);
    if (!store.get('/serviceaccounts', ns, 'default')) {
      store.put('/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns, uid: newUid(), creationTimestamp: nowTimestamp() } });
    }
  }
  if (!store.get('/services', 'default', 'kubernetes')) {
    const meta = { name: 'kubernetes', namespace: 'default', uid: newUid(), creationTimestamp: nowTimestamp(), labels: { component: 'apiserver', provider: 'kubernetes' } };
    const spec = { clusterIP: serviceIps.apiServerIp, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] };
    store.put('/services', serviceIps.assign({ apiVersion: 'v1', kind: 'Service', metadata: meta, spec }));
  }
}

/** Starts the local Kubernetes API server (HTTPS, HTTP/2 with HTTP/1.1 fallback) and writes its kubeconfig. */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir;
  if (options.persist && !dataDir) throw new Error('persist needs a dataDir to keep objects in');
  const identity = dataDir ? await loadOrCreateIdentity(dataDir) : await newIdentity();
  const certs = await createServingCerts(identity.ca, [host, ...(options.extraSans ?? [])]);

  const registry = new ResourceRegistry();
  registerBuiltinKinds(registry);
  const store = new ObjectStore({ historyLimit: options.historyLimit ?? DEFAULT_HISTORY_LIMIT }, options.persist && dataDir ? loadSnapshot(dataDir) : undefined);
  const serviceIps = new ServiceIpAllocator(options.serviceCidr ?? DEFAULT_SERVICE_CIDR, store);
  const crds = new CrdController(store, registry);
  const deleter = new Deleter(store);
  const gc = new GarbageCollector(store, deleter);
  const writer = options.persist && dataDir ? new SnapshotWriter(store, dataDir) : undefined;
  const issuer = new TokenIssuer(identity.signingKeyPem);
  const watches = new Set<() => void>();

  const server = createSecureServer({ allowHTTP1: true, key: certs.keyPem, cert: certs.certPem });
  const sessions = new Set<Http2Session>();
  const sockets = new Set<Socket>();
  server.on('session', (s: Http2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => undefined);
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client that fails the TLS handshake (wrong CA, plain HTTP) must not take the server down.
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (options.port ?? DEFAULT_PORT);
  // A wildcard listen address is not something a client can name (nor a SAN): point the kubeconfig at loopback.
  const clientHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const hostPart = clientHost.includes(':') ? `[${clientHost}]` : clientHost;
  const url = `https://${hostPart}:${port}`;
  bootstrap(store, serviceIps, port);

  server.on('request', createHandler({
    registry,
    store,
    resources: new ResourceHandler(store, deleter, serviceIps),
    tokens: new TokenEndpoints(store, issuer),
    issuer,
    discovery: new Discovery(registry),
    openapi: new OpenApi(registry),
    adminToken: identity.adminToken,
    serverAddress: `${hostPart}:${port}`,
    timing: { keepaliveMs: options.keepaliveMs ?? DEFAULT_KEEPALIVE_MS, bookmarkMs: options.bookmarkMs ?? DEFAULT_BOOKMARK_MS },
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    trackWatch: (end) => {
      watches.add(end);
      return () => watches.delete(end);
    },
    log: options.log,
  }));

  const kubeconfig = renderKubeconfig({ server: url, caCertPem: certs.caCertPem, token: identity.adminToken, name: 'ambient-local' });
  const kubeDir = dataDir ?? mkdtempSync(join(tmpdir(), 'ambient-apiserver-'));
  mkdirSync(kubeDir, { recursive: true });
  const kubeconfigPath = join(kubeDir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    kubeconfigPath,
    kubeconfig,
    token: identity.adminToken,
    caCertPem: certs.caCertPem,
    registerKind: (input) => registry.register(input),
    close: () =>
      (closing ??= (async () => {
        for (const end of [...watches]) end();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of sessions) s.destroy();
        for (const s of sockets) s.destroy();
        await closed;
        crds.close();
        gc.close();
        writer?.close();
        if (!dataDir) rmSync(kubeDir, { recursive: true, force: true });
      })()),
  };
}
