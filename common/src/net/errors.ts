import { MeshError } from '../errors.ts';

/**
 * Errors raised by the TypeScript side of the socket plumbing (bad options, timeouts, missing addon).
 * System call failures from the addon are plain Errors with `code` = errno name (ECONNREFUSED, EINVAL, ...),
 * `syscall` and `errno`, exactly like Node's own socket errors, so callers handle both the same way.
 */
export class NetError extends MeshError {}

/** Stable codes of NetError. */
export const NetErrorCode = {
  /** The compiled addon is missing or failed to load. */
  NativeMissing: 'ERR_NET_NATIVE_MISSING',
  /** An option has the wrong type or is out of range. */
  BadOption: 'ERR_NET_BAD_OPTION',
  /** A Node socket/server has no OS file descriptor (not open, or not a TCP/pipe handle). */
  NoFd: 'ERR_NET_NO_FD',
  /** A connect did not finish within its timeout. */
  ConnectTimeout: 'ERR_NET_CONNECT_TIMEOUT',
  /** The operation was aborted through its AbortSignal. */
  Aborted: 'ERR_NET_ABORTED',
  /** The socket was closed before the operation finished. */
  Closed: 'ERR_NET_CLOSED',
  /** The kernel refused a transparent (foreign source IP) socket: connect from the pod's own IP instead. */
  TransparentRefused: 'ERR_NET_TRANSPARENT_REFUSED',
} as const;

/** A NetError code. */
export type NetErrorCode = (typeof NetErrorCode)[keyof typeof NetErrorCode];

/** An Error carrying the errno details the addon attaches. */
export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
}

/** True when `err` is a system call failure with the given errno name. */
export function isSystemError(err: unknown, code?: string): err is SystemError {
  if (!(err instanceof Error)) return false;
  const e = err as Partial<SystemError>;
  return typeof e.syscall === 'string' && typeof e.code === 'string' && (code === undefined || e.code === code);
}
