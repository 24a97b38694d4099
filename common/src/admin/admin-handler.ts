// The handler contract of the admin server: a request in, a fully built response out. Handlers never see
// node's req/res, so they are plain functions that tests can call directly.

/** What a handler sees: the method, the path and the query. Bodies are not read. */
export interface AdminRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
}

/** What a handler returns. */
export interface AdminResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One admin endpoint. May throw: the server answers 500 with the message. */
export type AdminHandler = (req: AdminRequest) => AdminResponse | Promise<AdminResponse>;

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';

/** A plain-text response; a trailing newline is added so curl output ends cleanly. */
export function textResponse(status: number, body: string): AdminResponse {
  return { status, contentType: TEXT, body: body.endsWith('\n') ? body : `${body}\n` };
}

/** A pretty-printed JSON response. */
export function jsonResponse(status: number, value: unknown): AdminResponse {
  return { status, contentType: JSON_TYPE, body: `${JSON.stringify(value, null, 2)}\n` };
}
