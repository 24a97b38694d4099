import type { Logger } from '@mesh/common/log';
import type { CertManager } from '../identity/cert-manager.ts';
import type { StateView } from '../state/store.ts';
import type { Telemetry } from '../telemetry/recorder.ts';
import type { ConnectionTracker } from './policy-check.ts';

/** What every proxy listener needs, shared by all pods of this ztunnel. */
export interface ProxyInputs {
  readonly state: StateView;
  readonly network: string;
  readonly trustDomain: string;
  readonly clusterId: string;
  readonly certs: CertManager;
  readonly telemetry: Telemetry;
  readonly tracker: ConnectionTracker;
  readonly logger: Logger;
}

/** One enrolled pod, as the node agent described it over ZDS. */
export interface PodInfo {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** `spiffe://<td>/ns/<ns>/sa/<sa>`. */
  readonly identity: string;
  /** The pod's netns; owned by the pod proxy, closed when it stops. */
  readonly netnsFd: number;
}

/** Open sockets and streams of one pod, so a forced drain can cut them. */
export type Live = Set<{ destroy(): void }>;
