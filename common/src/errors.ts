/**
 * The base of every error the mesh raises on purpose. `code` is stable (`ERR_<AREA>_<WHAT>`) so callers,
 * tests, logs and metrics can branch on it without parsing messages. An area with a fixed set of codes narrows
 * the type: `class CsrError extends MeshError<CsrErrorCode> {}`.
 */
export class MeshError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True when `err` is a MeshError with the given code. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof MeshError && err.code === code;
}

/** A message for any thrown value, for logs and NACK details. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
