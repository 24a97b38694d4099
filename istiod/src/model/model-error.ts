import { MeshError } from '@mesh/common/errors';

/** Stable codes for objects the model cannot use. */
export const ModelErrorCode = {
  /** A Kubernetes object has a malformed field; the message names the field. */
  INVALID_OBJECT: 'ERR_MODEL_INVALID_OBJECT',
} as const;

export type ModelErrorCode = (typeof ModelErrorCode)[keyof typeof ModelErrorCode];

/** Raised while converting one object; the model turns it into a ModelIssue and skips the object. */
export class ModelError extends MeshError<ModelErrorCode> {}

/** Shorthand: the object is unusable because of `message` (which names the field). */
export function invalidObject(message: string): never {
  throw new ModelError(ModelErrorCode.INVALID_OBJECT, message);
}
