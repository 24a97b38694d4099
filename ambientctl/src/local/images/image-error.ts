import { MeshError } from '@mesh/common/errors';

/** Stable codes of the built-in image catalogue. */
export type ImageErrorCode = 'ERR_IMAGE_NO_COMMAND';

/** A container the local kubelet cannot start: names the pod and container. */
export class ImageError extends MeshError<ImageErrorCode> {}
