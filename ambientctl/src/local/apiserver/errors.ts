import { MeshError } from '@mesh/common/errors';

/** The `reason` values of a Kubernetes `Status`, as clients branch on them. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'InternalError';

/** One field-level problem, reported in `Status.details.causes` for 422 answers. */
export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

/**
 * An error the API server answers with a Kubernetes `Status` body. `code` is the stable mesh error code
 * (`ERR_APISERVER_<REASON>`), `status` the HTTP status, `reason` the Kubernetes reason.
 */
export class ApiError extends MeshError {
  readonly status: number;
  readonly reason: StatusReason;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(status: number, reason: StatusReason, message: string, details?: Record<string, unknown>) {
    super(`ERR_APISERVER_${reason.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`, message);
    this.status = status;
    this.reason = reason;
    this.details = details;
  }
}

/** What a resource error names: the resource (plural, with group if any) and the object name. */
export interface Subject {
  readonly group: string;
  readonly resource: string;
  readonly name?: string;
}

function qualified(s: Subject): string {
  return s.group ? `${s.resource}.${s.group}` : s.resource;
}

function detailsOf(s: Subject): Record<string, unknown> {
  const d: Record<string, unknown> = { kind: s.resource };
  if (s.name !== undefined) d['name'] = s.name;
  if (s.group) d['group'] = s.group;
  return d;
}

export function notFound(s: Subject): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(s)} "${s.name ?? ''}" not found`, detailsOf(s));
}

export function alreadyExists(s: Subject): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(s)} "${s.name ?? ''}" already exists`, detailsOf(s));
}

export function conflict(s: Subject, why: string): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(s)} "${s.name ?? ''}": ${why}`, detailsOf(s));
}

export function invalid(s: Subject & { kind: string }, causes: readonly StatusCause[]): ApiError {
  const list = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const d = { ...detailsOf(s), kind: s.kind, causes };
  return new ApiError(422, 'Invalid', `${s.kind} "${s.name ?? ''}" is invalid: ${list}`, d);
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** The `Status` object for an error; anything that is not an ApiError becomes a 500 that names it. */
export function statusBody(err: unknown): { status: number; body: Record<string, unknown> } {
  const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `Internal error occurred: ${String(err instanceof Error ? err.message : err)}`);
  const body: Record<string, unknown> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: e.message,
    reason: e.reason,
    code: e.status,
  };
  if (e.details) body['details'] = e.details;
  return { status: e.status, body };
}
