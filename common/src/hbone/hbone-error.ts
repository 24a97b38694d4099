import { MeshError } from '../errors.ts';

/**
 * HBONE failures. Codes: ERR_HBONE_BAD_METHOD, ERR_HBONE_BAD_AUTHORITY, ERR_HBONE_STATUS (the peer answered
 * non-200), ERR_HBONE_SESSION (the HTTP/2 session failed or closed), ERR_HBONE_TIMEOUT, ERR_HBONE_TLS (a native
 * session's TLS handshake failed), ERR_HBONE_STREAM (a native stream is not open, or closed before its answer).
 */
export class HboneError extends MeshError {
  /** The HTTP status the peer answered with, for ERR_HBONE_STATUS. */
  readonly status: number | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }
}
