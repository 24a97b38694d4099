import type net from 'node:net';

/** Byte counts of two joined sockets, from the client's side (totals: bytes buffered before the join count too). */
export interface PipeResult {
  /** client → server */
  readonly sent: number;
  /** server → client */
  readonly received: number;
  readonly error: Error | undefined;
}

/**
 * Joins two TCP sockets with half-close kept (a FIN on one becomes a FIN on the other) using pipe() in each
 * direction, so Node moves the bytes. An error or an abortive close on either side resets both. Both sockets
 * must allow half-open. Resolves once both are closed.
 */
export function pipeSockets(client: net.Socket, server: net.Socket): Promise<PipeResult> {
  return new Promise((resolve) => {
    let error: Error | undefined;
    let open = 2;
    const fail = (err: Error) => {
      error ??= err;
      resetSocket(client);
      resetSocket(server);
    };
    const closed = (s: net.Socket) => () => {
      if (!s.readableEnded && error === undefined) fail(new Error('connection reset before its peer finished sending'));
      if (--open === 0) resolve({ sent: client.bytesRead, received: client.bytesWritten, error });
    };
    client.on('error', fail);
    server.on('error', fail);
    client.once('close', closed(client));
    server.once('close', closed(server));
    client.pipe(server);
    server.pipe(client);
  });
}

/** Reset, or a plain destroy once our FIN is out (libuv cannot reset a shut-down socket; the handle would leak). */
export function resetSocket(s: net.Socket): void {
  if (s.destroyed) return;
  if (s.writableEnded) s.destroy();
  else s.resetAndDestroy();
}
