// httpGet and tcpSocket probes, run from the node's netns as a kubelet would (connectInNetns).
import { connectInNetns } from '@mesh/common/net';
import { httpGetStatus } from '../cluster/http-in-netns.ts';

export interface Probe {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  exec?: unknown;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

/** A probe's port (a number, or the name of one of the container's ports). */
export function resolvePort(port: number | string, ports: readonly ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

/** Runs one probe against `podIp`; resolves true on success (HTTP 200-399, or a TCP connect). */
export async function runProbe(probe: Probe, podIp: string, ports: readonly ContainerPort[], netnsFd: number): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  const target = probe.httpGet ?? probe.tcpSocket;
  if (!target) return true; // exec probes are not supported: treated as passing.
  const port = resolvePort(target.port, ports);
  if (port === undefined) return false;
  const host = target.host ?? podIp;
  let socket;
  try {
    socket = await connectInNetns({ netnsFd, host, port, timeoutMs });
  } catch {
    return false;
  }
  if (!probe.httpGet) {
    socket.destroy();
    return true;
  }
  const get = probe.httpGet;
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.31' };
  for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
  const code = (await httpGetStatus(socket, { host, port, path: get.path ?? '/', headers }, timeoutMs)) ?? 0;
  return code >= 200 && code < 400;
}
