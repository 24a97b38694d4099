// Composition of the node agent: installer, ZDS server, plugin event server, pod controller and /readyz.
import { KubeConfig } from '@kubernetes/client-node';
import { AdminServer, readinessHandler } from '@mesh/common/admin';
import { errorMessage } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';
import { Readiness } from '@mesh/common/lifecycle';
import { join } from 'node:path';
import { install, watchConf } from '../install/installer.ts';
import type { InstallOptions } from '../install/installer.ts';
import { DEFAULT_REDIRECT_CONFIG } from '../rules/index.ts';
import type { AgentConfig } from './config.ts';
import { HostProbe } from './host-probe.ts';
import { kubeAccess } from './kube.ts';
import { startPluginEventServer } from './plugin-event-server.ts';
import { PodController } from './pod-controller.ts';
import { ZdsServer } from './zds-server.ts';
import type { ZdsWorkload } from './zds-server.ts';

export interface NodeAgent {
  readonly zds: ZdsServer;
  readonly pods: PodController;
  readonly readiness: Readiness;
  /** The bound /readyz address (real port when configured with 0). */
  readonly readyAddress: { host: string; port: number };
  readonly pluginEventSocket: string;
  close(): Promise<void>;
}

export interface NodeAgentDeps {
  readonly log: Logger;
  /** Defaults to the config's kubeconfig (or client-node's default). */
  readonly kubeConfig?: KubeConfig;
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  if (path !== '') kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

/** Starts every part; resolves once serving (readiness turns 200 when the informers have synced). */
export async function startNodeAgent(config: AgentConfig, deps: NodeAgentDeps): Promise<NodeAgent> {
  const { log } = deps;
  const readiness = new Readiness();
  const synced = readiness.register('informers synced');
  const closers: (() => unknown)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'error while stopping');
      }
    }
  };
  try {
    if (config.installCni) {
      const o: InstallOptions = {
        netDir: config.cniNetDir,
        binDir: config.cniBinDir,
        runDir: config.runDir,
        excludeNamespaces: config.excludeNamespaces,
        logLevel: config.logLevel,
        ...(config.cniConfName ? { confName: config.cniConfName } : {}),
        ...(config.pluginEntry ? { pluginEntry: config.pluginEntry } : {}),
      };
      try {
        log.info({ conflist: await install(o) }, 'istio-cni installed');
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'istio-cni not chained yet; watching the CNI config dir');
      }
      const w = watchConf(o, log.child({ scope: 'install' }));
      closers.push(() => w.close());
    }
    const kc = deps.kubeConfig ?? loadKubeConfig(config.kubeconfig);
    const redirect = { ...DEFAULT_REDIRECT_CONFIG, redirectDNS: config.dnsCapture };
    let hostProbe: HostProbe | undefined;
    if (config.hostProbeSnat) {
      hostProbe = new HostProbe(redirect);
      await hostProbe.install([4]);
      await hostProbe.install([6]).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'no IPv6 host probe rule'));
    }
    const holder: { pods?: PodController } = {};
    const firstSync = Promise.withResolvers<void>();
    // The snapshot waits for the first reconcile: after a restart, ztunnel must not learn an empty pod set.
    const snapshot = async (): Promise<ZdsWorkload[]> => {
      await firstSync.promise;
      return holder.pods?.snapshot() ?? [];
    };
    const zds = ZdsServer.listen(config.ztunnelUds, snapshot, log.child({ scope: 'zds' }));
    closers.push(() => firstSync.resolve());
    closers.push(() => zds.close());
    const controller = new PodController({
      kube: kubeAccess(kc, config.nodeName),
      zds,
      enrollment: { excludeNamespaces: config.excludeNamespaces, systemNamespace: config.podNamespace },
      redirect,
      netnsDir: config.netnsDir,
      netnsPrefix: config.netnsPrefix,
      log: log.child({ scope: 'enroll' }),
      ...(hostProbe ? { hostProbe } : {}),
    });
    holder.pods = controller;
    closers.push(() => controller.close());
    const events = await startPluginEventServer(config.runDir, (e) => controller.cmdAdd(e), log.child({ scope: 'plugin-event' }));
    closers.push(() => events.close());
    const admin = await AdminServer.bind({ host: config.readyAddr.host, port: config.readyAddr.port });
    admin.register('/readyz', readinessHandler(readiness));
    closers.push(() => admin.close());
    await controller.start();
    await controller.settle();
    firstSync.resolve();
    synced.done();
    log.info({ node: config.nodeName, zds: config.ztunnelUds, events: events.path }, 'node agent ready');
    return {
      zds,
      pods: controller,
      readiness,
      readyAddress: admin.address(),
      pluginEventSocket: events.path,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The default plugin event socket path of a run dir (for tools and tests). */
export function pluginEventSocketPath(runDir: string): string {
  return join(runDir, 'pluginevent.sock');
}
