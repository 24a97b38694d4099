// The inbound leg to the app, from inside the pod's netns: with the client's IP as source (IP_TRANSPARENT +
// IP_FREEBIND, mark 1337, the in-pod return route brings replies back), or from the pod's own IP when the
// kernel refuses the transparent bind. The one place to change when common/net grows a dedicated helper.
import type net from 'node:net';
import { connectInNetns, isSystemError } from '@mesh/common/net';

export const INPOD_MARK = 1337;
const REFUSED_TRANSPARENT = ['EPERM', 'EACCES', 'EADDRNOTAVAIL', 'EINVAL', 'ENOPROTOOPT'];

export interface AppTarget {
  readonly netnsFd: number;
  /** The client's IP; undefined or equal to the app's IP = no spoofing needed. */
  readonly sourceIp: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly timeoutMs?: number;
}

/** Connects to the app; `transparent` says whether the client's IP was kept. */
export async function connectToApp(t: AppTarget): Promise<{ socket: net.Socket; transparent: boolean }> {
  const base = { netnsFd: t.netnsFd, host: t.host, port: t.port, mark: INPOD_MARK, allowHalfOpen: true, timeoutMs: t.timeoutMs ?? 10_000 };
  if (t.sourceIp !== undefined && t.sourceIp !== t.host) {
    try {
      const socket = await connectInNetns({ ...base, localHost: t.sourceIp, transparent: true, freebind: true });
      return { socket, transparent: true };
    } catch (err) {
      if (!REFUSED_TRANSPARENT.some((code) => isSystemError(err, code))) throw err;
    }
  }
  return { socket: await connectInNetns(base), transparent: false };
}
