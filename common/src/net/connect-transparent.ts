// Connections to an app that keep the client's source IP (ztunnel's inbound leg, reference §3.1–3.2).
//
// The socket is created inside the pod's netns with IP_TRANSPARENT + IP_FREEBIND (so bind() accepts an
// address the netns does not own) and SO_MARK 1337, bound to the client's IP with port 0, and connected to
// the app's pod IP. The return path is the pod's in-pod rules:
//   1. the SYN leaves with mark 0x539 and loops back through lo; mangle PREROUTING sets connmark 0x111;
//      nat OUTPUT leaves it alone (`-o lo` ACCEPT / mark 0x539 is excluded from REDIRECT);
//   2. the app's SYN-ACK to the foreign client IP is routed by the main table first — so the netns needs a
//      route toward that IP (a pod's default route); with none the kernel drops the SYN (ListenDrops,
//      OutNoRoutes) and the connect stays in SYN-SENT;
//   3. mangle OUTPUT `CONNMARK --restore-mark` gives the reply mark 0x111, which makes the kernel reroute it:
//      `ip rule fwmark 0x111/0xfff lookup 100` + `ip route add local 0.0.0.0/0 dev lo table 100` deliver it
//      locally, to this transparent socket.
// So a connect that times out here, while the app is listening, means step 2 or 3 is missing.
import net from 'node:net';
import { connectInNetns } from './connect-in-netns.ts';
import { NetError, NetErrorCode, isSystemError } from './errors.ts';
import { checkFd, checkString } from './validate.ts';

/** SO_MARK of every socket ztunnel creates in a pod netns (InpodMark, 0x539). */
export const INPOD_PACKET_MARK = 1337;

/** Options of connectTransparent. */
export interface ConnectTransparentOptions {
  /** The client IP to preserve (bound with port 0). An IPv4-mapped IPv6 address is used as IPv4. */
  sourceIp: string;
  /** The app's IP as seen inside the pod netns: the pod IP (not loopback). */
  host: string;
  /** The app's port. */
  port: number;
  /** SO_MARK; default 1337 (0x539), the mark the in-pod rules expect. */
  mark?: number;
  /** Give up after this many ms (ERR_NET_CONNECT_TIMEOUT); default 10 000. */
  timeoutMs?: number;
  /** Aborts the attempt (ERR_NET_ABORTED). */
  signal?: AbortSignal;
  /** Passed to net.Socket: keep the writable side open after the peer's FIN (tunnels need this). */
  allowHalfOpen?: boolean;
}

const FN = 'connectTransparent';

/**
 * A connected net.Socket from `sourceIp` (a foreign, client IP) to `host:port`, created inside the netns
 * `netnsFd` with IP_TRANSPARENT + IP_FREEBIND + SO_MARK, so the app sees the client's IP.
 *
 * For ztunnel's inbound connections to the app. Fallback contract: when the kernel refuses the transparent
 * socket (no CAP_NET_ADMIN, an unbindable address: setsockopt/bind fails) this rejects with
 * `ERR_NET_TRANSPARENT_REFUSED` (cause = the system error), and the caller connects again with
 * `connectInNetns({ netnsFd, host, port, mark })` from the pod's own IP. Connect failures (ECONNREFUSED, ...)
 * keep their errno code; a timeout is `ERR_NET_CONNECT_TIMEOUT` and names the likely missing return path.
 */
export async function connectTransparent(netnsFd: number, opts: ConnectTransparentOptions): Promise<net.Socket> {
  let sourceIp: string;
  let host: string;
  try {
    checkFd(FN, 'netnsFd', netnsFd);
    host = checkString(FN, 'host', opts.host);
    sourceIp = unmapV4(checkString(FN, 'sourceIp', opts.sourceIp), net.isIP(host));
    const hostFamily = net.isIP(host);
    const sourceFamily = net.isIP(sourceIp);
    if (hostFamily === 0) throw new NetError(NetErrorCode.BadOption, `${FN}: host must be an IP literal, got "${host}"`);
    if (sourceFamily === 0) throw new NetError(NetErrorCode.BadOption, `${FN}: sourceIp must be an IP literal, got "${sourceIp}"`);
    if (sourceFamily !== hostFamily) {
      throw new NetError(NetErrorCode.BadOption, `${FN}: sourceIp ${sourceIp} and host ${host} must be the same IP family`);
    }
  } catch (err) {
    return Promise.reject(err as Error);
  }
  try {
    return await connectInNetns({
      netnsFd,
      host,
      port: opts.port,
      localHost: sourceIp,
      transparent: true,
      freebind: true,
      mark: opts.mark ?? INPOD_PACKET_MARK,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      allowHalfOpen: opts.allowHalfOpen,
    });
  } catch (err) {
    throw classify(err, sourceIp, host, opts.port);
  }
}

/** True when connectTransparent failed because the kernel refused the transparent socket: fall back. */
export function isTransparentRefused(err: unknown): boolean {
  return err instanceof NetError && err.code === NetErrorCode.TransparentRefused;
}

function classify(err: unknown, sourceIp: string, host: string, port: number): Error {
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  // setsockopt(IP_TRANSPARENT / IP_FREEBIND / SO_MARK) → EPERM without CAP_NET_ADMIN; bind → EADDRNOTAVAIL,
  // EADDRINUSE, EINVAL. The socket never left the host: the caller can retry without the source IP.
  if (isSystemError(err) && (err.syscall === 'setsockopt' || err.syscall === 'bind')) {
    return new NetError(
      NetErrorCode.TransparentRefused,
      `${FN}: the kernel refused a transparent socket from ${sourceIp} to ${target} (${err.message}); ` +
        'connect from the pod IP instead',
      { cause: err },
    );
  }
  if (err instanceof NetError && err.code === NetErrorCode.ConnectTimeout) {
    return new NetError(
      NetErrorCode.ConnectTimeout,
      `${err.message} from ${sourceIp} — if the app is listening, the pod netns lacks the return path for ` +
        'spoofed sources (a route toward the client IP, mangle CONNMARK --restore-mark, ' +
        'ip rule fwmark 0x111/0xfff lookup 100, local 0.0.0.0/0 dev lo table 100)',
      { cause: err },
    );
  }
  return err as Error;
}

/** `::ffff:10.1.2.3` → `10.1.2.3` when the target is IPv4 (dual-stack listeners report mapped peers). */
function unmapV4(ip: string, hostFamily: number): string {
  if (hostFamily === 4 && ip.toLowerCase().startsWith('::ffff:') && net.isIPv4(ip.slice(7))) return ip.slice(7);
  return ip;
}
