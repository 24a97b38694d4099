// Socket plumbing Node has no API for: sockets created inside pod netns, original destination after
// REDIRECT, transparent/freebind/mark options, and Unix SEQPACKET with fd passing (ZDS).
export { NetError, NetErrorCode, isSystemError } from './errors.ts';
export type { SystemError } from './errors.ts';
export type { InetAddress } from './native.ts';
export { openNetns, isNetns, closeFd } from './netns.ts';
export { socketFd } from './socket-fd.ts';
export type { FdLike } from './socket-fd.ts';
export { originalDst, setMark, getMark, getNoDelay, setTransparent, setFreebind } from './socket-options.ts';
export type { OriginalDstOptions } from './socket-options.ts';
export { listenInNetns } from './listen-in-netns.ts';
export type { ListenInNetnsOptions } from './listen-in-netns.ts';
export { connectInNetns } from './connect-in-netns.ts';
export type { ConnectInNetnsOptions } from './connect-in-netns.ts';
export { connectTransparent, isTransparentRefused, INPOD_PACKET_MARK } from './connect-transparent.ts';
export type { ConnectTransparentOptions } from './connect-transparent.ts';
export { SeqpacketSocket } from './seqpacket-socket.ts';
export type { SeqpacketMessage, SeqpacketSocketOptions } from './seqpacket-socket.ts';
export { SeqpacketServer } from './seqpacket-server.ts';
export type { SeqpacketServerOptions } from './seqpacket-server.ts';
