import { MeshError } from '@mesh/common/errors';

/** Stable codes of the errors ztunnel raises on purpose. */
export type ZtunnelErrorCode =
  | 'ERR_ZTUNNEL_BAD_RESOURCE'
  | 'ERR_ZTUNNEL_LOCAL_CONFIG'
  | 'ERR_ZTUNNEL_CA'
  | 'ERR_ZTUNNEL_NO_CERT'
  | 'ERR_ZTUNNEL_ZDS'
  | 'ERR_ZTUNNEL_SELF_CALL'
  | 'ERR_ZTUNNEL_NO_HEALTHY_UPSTREAM'
  | 'ERR_ZTUNNEL_BAD_DESTINATION'
  | 'ERR_ZTUNNEL_DENIED'
  | 'ERR_ZTUNNEL_UNKNOWN_SOURCE';

/** An error of ztunnel with a stable code. */
export class ZtunnelError extends MeshError<ZtunnelErrorCode> {}
