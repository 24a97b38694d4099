// The composition root: builds ztunnel from its config, in dependency order, and returns a handle with
// close(). main.ts runs it as a process; tests start it in-process with overrides (a CA, ports, a log sink).
import { AdminServer, ConfigDump } from '@mesh/common/admin';
import { errorMessage } from '@mesh/common/errors';
import { Drain, Readiness } from '@mesh/common/lifecycle';
import { createAccessLog, createLogger } from '@mesh/common/log';
import type { LogRoot } from '@mesh/common/log';
import { MetricsRegistry, createTcpMetrics } from '@mesh/common/metrics';
import { ISTIO_PROTO_FILES, ProtoCodec } from '@mesh/common/proto';
import type { XdsClient } from '@mesh/common/xds';
import { caEndpoint, parseGrpcEndpoint } from './config.ts';
import type { ZtunnelConfig } from './config.ts';
import { grpcCaClient, tokenReader } from './identity/ca-client.ts';
import type { CaClient } from './identity/ca-client.ts';
import { CertManager } from './identity/cert-manager.ts';
import { prefetchLocalCertificates } from './identity/prefetch.ts';
import { startMemoryUpkeep } from './memory-upkeep.ts';
import { WorkloadManager } from './inpod/workload-manager.ts';
import { ZdsClient } from './inpod/zds-client.ts';
import type { ProxyInputs } from './proxy/inputs.ts';
import type { PodPorts } from './proxy/pod-proxy.ts';
import { ConnectionTracker } from './proxy/policy-check.ts';
import { loadLocalConfig, watchLocalConfig } from './state/local-file.ts';
import { ProxyState } from './state/store.ts';
import { Telemetry } from './telemetry/recorder.ts';
import { startXdsSource, ztunnelNodeId } from './xds/xds-source.ts';

/** Test seams; production passes none. */
export interface ZtunnelOverrides {
  readonly ca?: CaClient;
  readonly log?: LogRoot;
  readonly ports?: PodPorts;
}

export interface Ztunnel {
  readonly config: ZtunnelConfig;
  readonly state: ProxyState;
  readonly certs: CertManager;
  readonly workloads: WorkloadManager;
  readonly readiness: Readiness;
  readonly metrics: MetricsRegistry;
  readonly drain: Drain;
  readonly admin: AdminServer;
  readonly stats: AdminServer;
  readonly ready: AdminServer;
  readonly log: LogRoot;
  /** Drains (graceful, then forced at the deadline) and releases everything. */
  close(): Promise<void>;
}

export async function startZtunnel(config: ZtunnelConfig, overrides: ZtunnelOverrides = {}): Promise<Ztunnel> {
  const log = overrides.log ?? createLogger({ levels: config.logLevel, format: config.logFormat as 'text' | 'json' });
  const logger = log.scope('ztunnel');
  const metrics = new MetricsRegistry();
  const readiness = new Readiness();
  const drain = new Drain({ deadlineMs: config.drainDeadlineMs });
  // Istio's protos only (Address, Authorization, ZDS): ztunnel decodes no Envoy resource, and the ADS
  // service loads its own discovery protos. The whole Envoy set cost ~12 MB of RSS and a larger heap to mark.
  const codec = ProtoCodec.load(ISTIO_PROTO_FILES);
  const state = new ProxyState();
  const token = tokenReader(config.tokenPath, (msg) => logger.debug({}, msg));

  // State: the local file or istiod.
  let xds: XdsClient | undefined;
  let stopWatch: (() => void) | undefined;
  const stateTask = readiness.register(config.localXdsPath ? 'local config' : 'xds');
  if (config.localXdsPath) {
    await loadLocalConfig(config.localXdsPath, state, config.trustDomain);
    stateTask.done();
    logger.info({ path: config.localXdsPath }, 'state loaded from the local config file');
    stopWatch = watchLocalConfig(config.localXdsPath, state, config.trustDomain, (err) => {
      if (err) logger.warn({ path: config.localXdsPath }, `local config not applied, keeping the last good state: ${err.message}`);
      else logger.info({ path: config.localXdsPath }, 'local config reloaded');
    });
  } else {
    xds = startXdsSource({
      endpoint: parseGrpcEndpoint('XDS_ADDRESS', config.xdsAddress),
      rootCaPath: config.xdsRootCa,
      token,
      clusterId: config.clusterId,
      nodeId: ztunnelNodeId(config.instanceIp, config.podName, config.podNamespace),
      nodeMetadata: { NAME: config.podName, NAMESPACE: config.podNamespace, INSTANCE_IPS: config.instanceIp, NODE_NAME: config.nodeName, CLUSTER_ID: config.clusterId },
      trustDomain: config.trustDomain,
      state,
      codec,
      logger: log.scope('xds'),
    });
    void xds.ready().then(() => {
      stateTask.done();
      logger.info({}, 'first xDS responses acknowledged');
    });
  }

  const ca = overrides.ca ?? grpcCaClient({ endpoint: caEndpoint(config), rootCaPath: config.caRootCa, token, clusterId: config.clusterId });
  const certs = new CertManager({ ca, ttlSeconds: Math.round(config.secretTtlMs / 1000), logger: log.scope('cache') });
  const stopPrefetch = prefetchLocalCertificates(state, certs, config.nodeName);
  const tracker = new ConnectionTracker(state, config.network);
  const telemetry = new Telemetry(createTcpMetrics(metrics), createAccessLog(log));
  const inputs: ProxyInputs = { state, network: config.network, trustDomain: config.trustDomain, clusterId: config.clusterId, certs, telemetry, tracker, logger: log.scope('proxy') };

  let zds: ZdsClient | undefined;
  // Not ready until the node agent's snapshot is handled, and again not ready while disconnected from it.
  let zdsTask = config.inpodEnabled ? readiness.register('zds snapshot') : undefined;
  let zdsPending = zdsTask !== undefined;
  const workloads = new WorkloadManager({
    inputs,
    drainDeadlineMs: config.drainDeadlineMs,
    log: log.scope('inpod'),
    ports: overrides.ports,
    metrics,
    onSnapshot: () => {
      zdsTask?.done();
      zdsPending = false;
    },
    onConnected: (up) => {
      if (!up && !zdsPending && !drain.started) {
        zdsTask = readiness.register('zds snapshot');
        zdsPending = true;
      }
    },
  });

  const dump = new ConfigDump();
  dump.add('config', () => config);
  dump.add('workloads', () => state.dump().workloads);
  dump.add('services', () => state.dump().services);
  dump.add('policies', () => state.dump().policies.map((p) => ({ ...p, rules: p.rules.length })));
  dump.add('certificates', () => certs.dump());
  dump.add('pods', () => workloads.dump());
  dump.add('xds', () => xds?.status() ?? { source: config.localXdsPath });

  let admin: AdminServer | undefined;
  let stats: AdminServer | undefined;
  let ready: AdminServer | undefined;
  try {
    admin = await AdminServer.bind({ ...config.adminAddr, configDump: dump, log, drain });
    stats = await AdminServer.bind({ ...config.statsAddr, metrics });
    ready = await AdminServer.bind({ ...config.readinessAddr, readiness, drain });
  } catch (err) {
    await Promise.all([admin?.close(), stats?.close()]);
    xds?.close();
    throw err;
  }

  if (config.inpodEnabled) {
    zds = new ZdsClient(config.inpodUds, codec, workloads, log.scope('inpod'));
    zds.start();
  }

  drain.register('pods', {
    graceful: async () => {
      zds?.close();
      // Pods cut their own stragglers a little before the process-wide deadline forces everything.
      await workloads.stopAll(Math.floor(config.drainDeadlineMs * 0.9));
    },
    force: () => void workloads.stopAll(0),
  });
  drain.register('control plane', {
    graceful: async () => {
      xds?.close();
      stopWatch?.();
      stopPrefetch();
      certs.close();
      ca.close();
      tracker.close();
    },
    force: () => {},
  });

  logger.info({ admin: admin.address(), stats: stats.address(), readiness: ready.address(), inpod: config.inpodEnabled }, 'ztunnel started');
  startMemoryUpkeep(config, readiness, drain, logger);
  let closing: Promise<void> | undefined;
  return {
    config,
    state,
    certs,
    workloads,
    readiness,
    metrics,
    drain,
    admin,
    stats,
    ready,
    log,
    close: () => {
      closing ??= (async () => {
        const result = await drain.start('close');
        if (result.forced.length > 0 || result.failed.length > 0) {
          logger.warn({ forced: result.forced, failed: result.failed.map((f) => `${f.name}: ${f.error}`) }, 'drain did not finish cleanly');
        }
        await Promise.all([admin.close(), stats.close(), ready.close()]).catch((err: unknown) => logger.warn({}, errorMessage(err)));
      })();
      return closing;
    },
  };
}
