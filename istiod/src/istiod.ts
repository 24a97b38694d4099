// istiod assembled: Kubernetes informers → model → content-versioned store → delta xDS for ztunnels on the
// TLS gRPC port (with the CA), and the HTTP port for readiness, metrics and debug. main.ts is the process
// wrapper; tests call startIstiod directly.
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigDump } from '@mesh/common/admin';
import { errorMessage } from '@mesh/common/errors';
import type { AdminServer } from '@mesh/common/admin';
import type { Address, ConfigEntry } from '@mesh/common/config';
import { Readiness } from '@mesh/common/lifecycle';
import { createLogger } from '@mesh/common/log';
import type { LogRoot } from '@mesh/common/log';
import { ProtoCodec, TYPE_URL } from '@mesh/common/proto';
import { ResourceStore } from '@mesh/common/xds';
import type { XdsServer } from '@mesh/common/xds';
import { createTokenAuthenticator } from './auth/index.ts';
import type { IstiodConfig } from './config.ts';
import { bindDebugServer } from './debug/debug-server.ts';
import { toJsonValue } from './debug/json-value.ts';
import { synczOf } from './debug/syncz.ts';
import { ClusterWatcher } from './kube/index.ts';
import type { ClusterSnapshot, RetryOptions } from './kube/index.ts';
import { buildModel } from './model/index.ts';
import type { ClusterObjects, MeshOptions } from './model/index.ts';
import { Debouncer, Pusher } from './push/index.ts';
import type { PushModel } from './push/index.ts';
import { istiodCa } from './server/ca-setup.ts';
import type { CaFactory } from './server/ca-setup.ts';
import { bindGrpcServer } from './server/grpc-server.ts';
import type { BoundGrpcServer } from './server/grpc-server.ts';
import { createIstiodMetrics } from './server/metrics.ts';
import type { IstiodMetrics } from './server/metrics.ts';
import { servingNames } from './server/serving-sans.ts';
import { createZtunnelXds } from './xds/ztunnel-xds.ts';

/** What startIstiod needs besides the config. */
export interface IstiodDeps {
  readonly kc: KubeConfig;
  /** Default: a text logger at info. */
  readonly log?: LogRoot;
  /** Default: loaded here (a few hundred ms). */
  readonly codec?: ProtoCodec;
  /** The CA (root, serving certificate, CreateCertificate service). Default: istiod's CA (istiod/src/ca). */
  readonly ca?: CaFactory;
  /** Config entries for /debug/config_dump. */
  readonly configEntries?: readonly ConfigEntry[];
  /** Informer restart delays (tests shorten them). */
  readonly kubeRetry?: RetryOptions;
  /** How long a stream that arrives before the first push waits for it. Default 60 s. */
  readonly firstPushWaitMs?: number;
}

/** A running istiod. */
export interface Istiod {
  /** gRPC (xDS + CA), `host:port` with the real port. */
  readonly grpcAddress: Address;
  readonly httpAddress: Address;
  readonly rootCertPem: string;
  readonly xds: XdsServer;
  readonly metrics: IstiodMetrics;
  readonly readiness: Readiness;
  /** Resolves after the informers synced, the first push was made and the gRPC port listens. */
  whenReady(): Promise<void>;
  /** The model of the last push (null before the first). */
  model(): PushModel | null;
  /** Ends every stream, stops the listeners and the informers. Idempotent. */
  close(): Promise<void>;
}

const GRPC_GRACE_MS = 2_000;

export async function startIstiod(config: IstiodConfig, deps: IstiodDeps): Promise<Istiod> {
  const log = deps.log ?? createLogger({ format: 'text' });
  const logger = log.scope('istiod');
  const codec = deps.codec ?? ProtoCodec.load();
  const metrics = createIstiodMetrics();
  const readiness = new Readiness();
  const syncedTask = readiness.register('informers synced');
  const pushedTask = readiness.register('first push');
  const grpcTask = readiness.register('grpc listening');
  const meshOptions: MeshOptions = {
    trustDomain: config.trustDomain,
    clusterId: config.clusterId,
    network: config.network,
    rootNamespace: config.namespace,
    domainSuffix: 'cluster.local',
  };

  const store = new ResourceStore();
  const watcher = new ClusterWatcher(deps.kc, log.scope('kube'), deps.kubeRetry ? { retry: deps.kubeRetry } : {});
  const pusher = new Pusher<ClusterSnapshot>({
    codec,
    store,
    snapshot: () => watcher.snapshot(),
    build: (snapshot) => buildModel(snapshot as unknown as ClusterObjects, meshOptions),
    logger: log.scope('push'),
    onPushed: (result) => {
      if (result.addresses.changed.length + result.addresses.removed.length > 0) {
        metrics.pushTime.observe({ type: 'address' }, result.totalMs / 1000);
      }
      if (result.authorizations.changed.length + result.authorizations.removed.length > 0) {
        metrics.pushTime.observe({ type: 'authorization' }, result.totalMs / 1000);
      }
    },
  });
  let firstPushDone = false;
  let resolveFirstPush: () => void = () => {};
  const firstPush = new Promise<void>((resolve) => (resolveFirstPush = resolve));
  const debouncer = new Debouncer({ afterMs: config.debounceAfterMs, maxMs: config.debounceMaxMs }, async (waitedMs, events) => {
    metrics.debounceTime.observe(waitedMs / 1000);
    pusher.push(`${events} change(s)`);
  });
  watcher.onChange((kind, event) => {
    metrics.k8sEvents.inc({ type: kind.kind, event });
    if (firstPushDone) debouncer.trigger();
  });

  const authenticate = createTokenAuthenticator(deps.kc, { audiences: config.tokenAudiences });
  const firstPushWaitMs = deps.firstPushWaitMs ?? 60_000;
  const xds = createZtunnelXds({
    store,
    metrics,
    logger: log.scope('xds'),
    authenticate: async (metadata) => {
      const caller = await authenticate(metadata);
      // A stream that comes before the first push waits for it, so a ztunnel never takes an empty world for
      // the real one.
      if (!firstPushDone) await withTimeout(firstPush, firstPushWaitMs, 'istiod has not finished its first push');
      return caller;
    },
  });

  const ca = await (deps.ca ?? istiodCa)({ kc: deps.kc, config, metrics: metrics.registry, authenticate, logger: log.scope('ca') });
  const serving = await ca.authority.issueServingCert(servingNames(config.namespace, config.servingSans));

  const configDump = new ConfigDump();
  configDump.add('config', () => deps.configEntries ?? []);
  configDump.add('kube', () => watcher.status());
  configDump.add('push', () => ({ sequence: pusher.sequence, addresses: store.get(TYPE_URL.ADDRESS).size, authorizations: store.get(TYPE_URL.AUTHORIZATION).size }));
  configDump.add('addresses', () => dumpResources(pusher.model?.addresses));
  configDump.add('authorizations', () => dumpResources(pusher.model?.authorizations));
  configDump.add('modelErrors', () => pusher.model?.errors ?? []);

  let grpc: BoundGrpcServer | null = null;
  let http: AdminServer | null = null;
  const close = once(async () => {
    await debouncer.close();
    xds.server.disconnectAll();
    await Promise.all([grpc?.close(GRPC_GRACE_MS), http?.close(), watcher.stop(), ca.stop()]);
  });
  try {
    grpc = await bindGrpcServer({
      addr: config.grpcAddr,
      keyPem: serving.keyPem,
      certChainPem: serving.certChainPem,
      services: [(server) => xds.server.addTo(server), ...(ca.addService ? [ca.addService] : [])],
    });
    grpcTask.done();
    http = await bindDebugServer({
      addr: config.httpAddr,
      readiness,
      metrics: metrics.registry,
      configDump,
      syncz: () => synczOf(xds.server.connections(), xds.lastPush),
    });
  } catch (err) {
    await close();
    throw err;
  }

  watcher.start();
  ca.start().catch((err: unknown) => logger.error(`root certificate publisher failed: ${errorMessage(err)}`));
  void watcher.whenSynced().then(() => {
    syncedTask.done();
    if (pusher.push('initial') === null) logger.error('the first push failed; retrying on the next change');
    firstPushDone = true;
    resolveFirstPush();
    pushedTask.done();
    logger.info({ grpc: grpc?.address, http: http?.address() }, 'istiod ready');
  });
  logger.info({ grpc: grpc.address, http: http.address() }, 'istiod listening; waiting for the informers');

  return {
    grpcAddress: grpc.address,
    httpAddress: http.address(),
    rootCertPem: ca.rootCertPem,
    xds: xds.server,
    metrics,
    readiness,
    whenReady: () => readiness.whenReady(),
    model: () => pusher.model,
    close,
  };
}

function dumpResources(map: PushModel['addresses'] | undefined): unknown {
  if (map === undefined) return {};
  return toJsonValue(new Map([...map].map(([name, r]) => [name, { aliases: r.aliases, value: r.value }])));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e as Error);
      },
    );
  });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => (running ??= fn());
}
