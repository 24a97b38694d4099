// Socket options Node has no API for, on Node sockets/servers or raw fds.
import { isSystemError } from './errors.ts';
import { native } from './native.ts';
import type { InetAddress } from './native.ts';
import { socketFd } from './socket-fd.ts';
import type { FdLike } from './socket-fd.ts';
import { checkMark } from './validate.ts';

/** Options of originalDst. */
export interface OriginalDstOptions {
  /**
   * When the kernel has no NAT record for the connection (ENOENT: not redirected by nat, e.g. TPROXY or no
   * conntrack), return the socket's local address instead of throwing — ztunnel's own fallback.
   */
  fallbackToLocal?: boolean;
}

/**
 * The destination the client dialled before iptables REDIRECT rewrote it (SO_ORIGINAL_DST, then
 * IP6T_SO_ORIGINAL_DST). IPv4 connections on dual-stack sockets come back as IPv4.
 * For an accepted socket of a server created by listenInNetns, pass the net.Socket itself.
 */
export function originalDst(target: FdLike, opts: OriginalDstOptions = {}): InetAddress {
  const fd = socketFd(target, 'originalDst');
  try {
    return native().getOriginalDst(fd);
  } catch (err) {
    if (opts.fallbackToLocal === true && isSystemError(err, 'ENOENT') && typeof target === 'object') {
      const local = (target as { address(): unknown }).address();
      if (local !== null && typeof local === 'object' && 'port' in local) {
        const a = local as { address: string; port: number; family: string };
        return { address: unmapV4(a.address), port: a.port, family: a.family === 'IPv6' && !isMapped(a.address) ? 'IPv6' : 'IPv4' };
      }
    }
    throw err;
  }
}

function isMapped(address: string): boolean {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.');
}

function unmapV4(address: string): string {
  return isMapped(address) ? address.slice(7) : address;
}

/** Sets SO_MARK (needs CAP_NET_ADMIN). */
export function setMark(target: FdLike, mark: number): void {
  native().setMark(socketFd(target, 'setMark'), checkMark('setMark', mark));
}

/** Reads SO_MARK back. */
export function getMark(target: FdLike): number {
  return native().getMark(socketFd(target, 'getMark'));
}

/** Reads TCP_NODELAY back (Node can set it, not read it). */
export function getNoDelay(target: FdLike): boolean {
  return native().getNoDelay(socketFd(target, 'getNoDelay'));
}

/** IP_TRANSPARENT / IPV6_TRANSPARENT by the socket's family (needs CAP_NET_ADMIN). */
export function setTransparent(target: FdLike, on: boolean): void {
  native().setTransparent(socketFd(target, 'setTransparent'), on);
}

/** IP_FREEBIND / IPV6_FREEBIND by the socket's family. */
export function setFreebind(target: FdLike, on: boolean): void {
  native().setFreebind(socketFd(target, 'setFreebind'), on);
}
