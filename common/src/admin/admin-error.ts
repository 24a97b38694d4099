import { MeshError } from '../errors.ts';

/** Misuse of the admin server: a bad or duplicate path, or a failed bind (`ERR_ADMIN_<WHAT>`). */
export class AdminError extends MeshError {}
