import { MeshError } from '../errors.ts';

/** A proto could not be found, encoded or decoded. Codes: ERR_PROTO_UNKNOWN_TYPE, ERR_PROTO_DECODE, ERR_PROTO_ENCODE. */
export class ProtoError extends MeshError {}
