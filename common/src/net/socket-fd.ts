// The OS file descriptor behind a Node socket or server. Node keeps it on the internal libuv handle
// (`_handle.fd`); this is the one place that reaches for it.
import type net from 'node:net';
import { NetError, NetErrorCode } from './errors.ts';

/** A Node socket or server, or a raw fd. */
export type FdLike = net.Socket | net.Server | number;

interface WithHandle {
  _handle?: { fd?: unknown } | null;
}

/** The fd of `target`. Throws ERR_NET_NO_FD when the socket is not open (yet or any more). */
export function socketFd(target: FdLike, fn = 'socketFd'): number {
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < 0) {
      throw new NetError(NetErrorCode.BadOption, `${fn}: fd must be a non-negative integer, got ${target}`);
    }
    return target;
  }
  const fd = (target as unknown as WithHandle)._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw new NetError(NetErrorCode.NoFd, `${fn}: the socket has no file descriptor (not open, or already closed)`);
  }
  return fd;
}
