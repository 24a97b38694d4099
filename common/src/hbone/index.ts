export { HboneServer } from './server.ts';
export type { HboneServerOptions, HboneRequest, HboneDecision } from './server.ts';
export { HbonePool } from './pool.ts';
export type { HbonePoolOptions, HboneConnectOptions, HboneTunnel } from './pool.ts';
export { splice } from './splice.ts';
export type { SpliceResult } from './splice.ts';
export { parseAuthority } from './authority.ts';
export type { Authority } from './authority.ts';
export {
  formatBaggage,
  parseBaggage,
  formatForwarded,
  formatHostPort,
  newTraceparent,
  acceptTraceparent,
} from './headers.ts';
export type { BaggageSource } from './headers.ts';
export { HboneError } from './hbone-error.ts';
export { NativeHboneSession, RST_CANCEL, headerRecord, headerValue, nativeTlsContext, streamEndError } from './native-session.ts';
export type { NativeTlsContext, NativeStreamEnd, FlatHeaders, NativeSessionOptions } from './native-session.ts';
export * from './settings.ts';
export { NativeHbonePool } from './native-pool.ts';
export type { NativeConnectOptions, NativeTunnel } from './native-pool.ts';
export { NativeHboneServer } from './native-server.ts';
export type { ConnInfo, NativeHboneRequest, NativeHboneServerOptions } from './native-server.ts';
export { startNativeKeepalive } from './native-keepalive.ts';
