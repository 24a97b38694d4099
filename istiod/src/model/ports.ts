// Service ports: protocol detection and the service-port → target-port maps WDS carries.
import type { V1Pod } from '@kubernetes/client-node';
import type { AppProtocol, Port } from '@mesh/common/wds';

/** A service port with what the model needs to resolve it per workload. */
export interface ServicePort {
  readonly name: string;
  readonly port: number;
  /** Numeric target port; 0 when the target is named (then `targetPortName` is set). */
  readonly targetPort: number;
  readonly targetPortName: string;
  readonly appProtocol: AppProtocol;
}

const PROTOCOLS: Readonly<Record<string, AppProtocol>> = {
  http: 'HTTP11',
  http_proxy: 'HTTP11',
  'kubernetes.io/ws': 'HTTP11',
  'kubernetes.io/wss': 'TLS',
  http2: 'HTTP2',
  'kubernetes.io/h2c': 'HTTP2',
  grpc: 'GRPC',
  'grpc-web': 'GRPC',
  tcp: 'TCP',
  tls: 'TLS',
  https: 'TLS',
};

/**
 * The application protocol of a port, as istiod's ConvertProtocol reads it: `appProtocol` when set, else the
 * port name; either whole (`grpc-web`, `kubernetes.io/h2c`) or by its prefix before the first `-`
 * (`http-web` → HTTP11), case-insensitively. UDP and anything unrecognised is UNKNOWN.
 */
export function appProtocolOf(name: string | undefined, appProtocol: string | undefined, protocol?: string): AppProtocol {
  if (protocol && protocol.toUpperCase() === 'UDP') return 'UNKNOWN';
  const source = (appProtocol || name || '').toLowerCase();
  const whole = PROTOCOLS[source];
  if (whole) return whole;
  const dash = source.indexOf('-');
  return (dash >= 0 && PROTOCOLS[source.slice(0, dash)]) || 'UNKNOWN';
}

/** The WDS form of a service's ports (named target ports are 0, as istiod sends them). */
export function toWdsPorts(ports: readonly ServicePort[]): Port[] {
  return ports.map((p) => ({ service_port: p.port, target_port: p.targetPort, app_protocol: p.appProtocol }));
}

/**
 * The port list of one workload for one service: named target ports resolved through `lookupName`; a named
 * port the workload does not have is left out, as istiod does.
 */
export function workloadPorts(ports: readonly ServicePort[], lookupName: (name: string, p: ServicePort) => number | null): Port[] {
  const out: Port[] = [];
  for (const p of ports) {
    let target = p.targetPort;
    if (p.targetPortName) {
      const found = lookupName(p.targetPortName, p);
      if (found === null) continue;
      target = found;
    }
    out.push({ service_port: p.port, target_port: target });
  }
  return out;
}

/** The container port named `name` in the pod (containers, then init containers), or null. */
export function podPortByName(pod: V1Pod, name: string): number | null {
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const p of c.ports ?? []) if (p.name === name) return p.containerPort;
  }
  return null;
}

/** True for an integer port number 1-65535. */
export function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}
