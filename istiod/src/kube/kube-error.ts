import { MeshError } from '@mesh/common/errors';

export type KubeErrorCode = 'ERR_KUBE_LIST' | 'ERR_KUBE_NOT_SERVED' | 'ERR_KUBE_CONFIG';

/** A failure talking to the Kubernetes API. `status` is the HTTP status when there was one. */
export class KubeError extends MeshError<KubeErrorCode> {
  readonly status: number | undefined;

  constructor(code: KubeErrorCode, message: string, status?: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}
