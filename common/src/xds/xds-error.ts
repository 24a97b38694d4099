import { MeshError } from '../errors.ts';

/**
 * An xDS protocol or plumbing failure. Codes:
 * - ERR_XDS_UNKNOWN_TYPE: a type URL nobody registered (client) or the server does not serve;
 * - ERR_XDS_BAD_RESOURCE: a resource failed to decode or validate (the reason goes into the NACK);
 * - ERR_XDS_BAD_OPTIONS: a client or server was configured with something unusable;
 * - ERR_XDS_CLOSED: the client was closed while something still waited on it.
 */
export class XdsError extends MeshError {}
