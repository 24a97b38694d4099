export { SpiffeId } from './spiffe-id.ts';
export type { SpiffeIdParts } from './spiffe-id.ts';
export { IdentityError, IdentityErrorCode } from './identity-error.ts';
