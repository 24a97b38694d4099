// The inbound leg to the app, from inside the pod's netns: with the client's IP as source (IP_TRANSPARENT +
// IP_FREEBIND, mark 1337; the in-pod return route brings replies back), or from the pod's own IP when the
// kernel refuses the transparent socket.
import type net from 'node:net';
import { INPOD_PACKET_MARK, connectInNetns, connectTransparent, isTransparentRefused } from '@mesh/common/net';

export const INPOD_MARK = INPOD_PACKET_MARK;

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
  const timeoutMs = t.timeoutMs ?? 10_000;
  if (t.sourceIp !== undefined && t.sourceIp !== t.host) {
    try {
      const socket = await connectTransparent(t.netnsFd, { sourceIp: t.sourceIp, host: t.host, port: t.port, mark: INPOD_MARK, allowHalfOpen: true, timeoutMs });
      return { socket, transparent: true };
    } catch (err) {
      if (!isTransparentRefused(err)) throw err;
    }
  }
  const socket = await connectInNetns({ netnsFd: t.netnsFd, host: t.host, port: t.port, mark: INPOD_MARK, allowHalfOpen: true, timeoutMs });
  return { socket, transparent: false };
}
