import { MeshError } from '@mesh/common/errors';

/** Stable codes of the echo app. */
export type EchoErrorCode = 'ERR_ECHO_BAD_PORTS' | 'ERR_ECHO_BAD_ARGS' | 'ERR_ECHO_BAD_URL';

/** Bad configuration or arguments of the echo app; the message names the value that is wrong. */
export class EchoError extends MeshError<EchoErrorCode> {}
