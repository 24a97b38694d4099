// The plugin → node agent event (`POST /cmdadd` on `<run dir>/pluginevent.sock`), shared by both ends.
// Field names are istio-cni's (Go struct field names).

export const PLUGIN_EVENT_SOCKET = 'pluginevent.sock';
export const CMDADD_PATH = '/cmdadd';

export interface CmdAddIp {
  readonly Interface?: number;
  /** CIDR form, e.g. `10.244.1.5/24`. */
  readonly Address: string;
  readonly Gateway?: string;
}

export interface CmdAddEvent {
  readonly Netns: string;
  readonly PodName: string;
  readonly PodNamespace: string;
  readonly PodUID?: string;
  readonly IPs: readonly CmdAddIp[];
}

/** Checks a decoded body; throws an Error naming the bad field. */
export function parseCmdAdd(body: unknown): CmdAddEvent {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('cmdadd body must be a JSON object');
  const o = body as Record<string, unknown>;
  for (const f of ['Netns', 'PodName', 'PodNamespace'] as const) {
    if (typeof o[f] !== 'string' || o[f] === '') throw new Error(`cmdadd field "${f}" must be a non-empty string`);
  }
  if (o['PodUID'] !== undefined && typeof o['PodUID'] !== 'string') throw new Error('cmdadd field "PodUID" must be a string');
  const ips = o['IPs'] ?? [];
  if (!Array.isArray(ips)) throw new Error('cmdadd field "IPs" must be an array');
  ips.forEach((ip: unknown, i) => {
    if (ip === null || typeof ip !== 'object' || typeof (ip as Record<string, unknown>)['Address'] !== 'string') {
      throw new Error(`cmdadd field "IPs[${i}].Address" must be a string`);
    }
  });
  if (!(o['Netns'] as string).startsWith('/')) throw new Error('cmdadd field "Netns" must be an absolute path');
  return o as unknown as CmdAddEvent;
}
