/**
 * The part of a response that the handlers use. Node's HTTP/1 and HTTP/2 compatibility responses both have it,
 * but their overloaded signatures do not unify, so handlers take this narrow view instead.
 */
export interface HttpResponse {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  write(chunk: string | Buffer): boolean;
  end(chunk?: string | Buffer): unknown;
  on(event: 'close' | 'error', listener: () => void): unknown;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly statusCode: number;
  flushHeaders?(): void;
}
