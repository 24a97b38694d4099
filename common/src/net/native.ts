// Loads the mesh_net addon (common/native) and types its surface. Everything else in this folder goes
// through `native()`; nothing else touches the .node file.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { commonPackageDir } from '../package-dir.ts';
import { NetError, NetErrorCode } from './errors.ts';

/** Options shared by sockets created in a netns. */
export interface NativeSocketOptions {
  /** Netns fd (from openNetns) to create the socket in; omitted = the caller's netns. */
  netnsFd?: number;
  /** IP_TRANSPARENT / IPV6_TRANSPARENT. */
  transparent?: boolean;
  /** IP_FREEBIND / IPV6_FREEBIND. */
  freebind?: boolean;
  /** SO_MARK. */
  mark?: number;
}

/** Arguments of the native tcpListen. */
export interface NativeListenOptions extends NativeSocketOptions {
  host: string;
  port: number;
  backlog?: number;
  reusePort?: boolean;
  ipv6Only?: boolean;
}

/** Arguments of the native tcpConnect. */
export interface NativeConnectOptions extends NativeSocketOptions {
  host: string;
  port: number;
  localHost?: string;
  localPort?: number;
}

/** An address as returned by the addon. */
export interface InetAddress {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

/** One received SEQPACKET datagram. `eof` = the peer closed (data and fds are then empty). */
export interface NativeRecvResult {
  data: Buffer;
  fds: number[];
  eof: boolean;
}

/** A libuv poll watcher on the main loop. Close it before closing or adopting its fd. */
export interface NativeFdWatcher {
  start(events: number): void;
  stop(): void;
  close(): void;
  ref(): void;
  unref(): void;
}

/** The addon's exports; see common/native/src for the C++ side. */
export interface NativeNet {
  openNetns(path: string): number;
  isNetns(fd: number): boolean;
  closeFd(fd: number): void;
  tcpListen(opts: NativeListenOptions): number;
  tcpConnect(opts: NativeConnectOptions): number;
  getOriginalDst(fd: number): InetAddress;
  setMark(fd: number, mark: number): void;
  getMark(fd: number): number;
  getNoDelay(fd: number): boolean;
  setTransparent(fd: number, on: boolean): void;
  setFreebind(fd: number, on: boolean): void;
  /** null once a connect succeeded, else the connect Error (code ECONNREFUSED, ...). */
  getSocketError(fd: number): Error | null;
  seqpacketListen(path: string, backlog?: number): number;
  seqpacketConnect(path: string): number;
  /** null when no connection is pending. */
  seqpacketAccept(fd: number): number | null;
  /** false when the socket buffer is full (nothing sent). */
  seqpacketSend(fd: number, data: Buffer, fds?: readonly number[]): boolean;
  /** null when no datagram is queued. */
  seqpacketRecv(fd: number, maxLen: number, maxFds?: number): NativeRecvResult | null;
  FdWatcher: new (fd: number, callback: (status: string, events: number) => void) => NativeFdWatcher;
  /** madvise(MADV_DONTNEED) on [start, start + length); common/src/memory decides which ranges are safe. Absent
   * from an addon built before it was added. */
  dropPages?(start: bigint, length: bigint): void;
  /** malloc_trim(0): true when memory went back to the kernel. Absent from an addon built before it was added. */
  trimHeap?(): boolean;
}

/** Event bits of FdWatcher.start and of its callback (libuv's UV_READABLE/UV_WRITABLE/UV_DISCONNECT). */
export const PollEvent = { Readable: 1, Writable: 2, Disconnect: 4 } as const;

/** The addon, relative to the @mesh/common package folder. */
const ADDON_PATH = 'native/build/Release/mesh_net.node';

let loaded: NativeNet | undefined;

/** The addon, loaded on first use. Throws ERR_NET_NATIVE_MISSING with the fix when it was not built. */
export function native(): NativeNet {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)(join(commonPackageDir(), ADDON_PATH)) as NativeNet;
  } catch (err) {
    throw new NetError(
      NetErrorCode.NativeMissing,
      `the mesh_net native addon could not be loaded (build it with "npm run install -w @mesh/common"): ${String(err)}`,
      { cause: err },
    );
  }
  return loaded;
}
