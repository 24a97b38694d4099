import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import { errorMessage } from '@mesh/common/errors';

/** The gRPC error a refused caller gets: UNAUTHENTICATED with the reason. */
export function unauthenticated(err: unknown): Partial<StatusObject> {
  return { code: status.UNAUTHENTICATED, details: errorMessage(err), metadata: new Metadata() };
}
