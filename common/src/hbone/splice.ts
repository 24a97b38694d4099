import { constants as h2 } from 'node:http2';
import type { Http2Stream } from 'node:http2';
import type { Socket } from 'node:net';

/** Byte counts of one spliced connection, from the socket's point of view. */
export interface SpliceResult {
  /** Bytes read from the socket and sent into the stream. */
  readonly socketToStream: number;
  /** Bytes read from the stream and written to the socket. */
  readonly streamToSocket: number;
  /** The first error on either side; undefined for an ordinary close. */
  readonly error: Error | undefined;
}

/**
 * Joins a TCP socket and an HTTP/2 CONNECT stream so bytes flow both ways with half-close preserved: a FIN from
 * the socket becomes END_STREAM and END_STREAM becomes a FIN. Uses pipe() in each direction (Node moves the
 * bytes; no per-chunk JavaScript of ours) rather than stream.pipeline(), which resets streams on ordinary
 * closes, and resets on a shared session trip nghttp2's rapid-reset guard and GOAWAY every tunnel on it.
 * Errors tear down both sides: the stream with RST_STREAM(CANCEL), the socket with a reset.
 * The socket must have been created with allowHalfOpen: true.
 */
export function splice(socket: Socket, stream: Http2Stream): Promise<SpliceResult> {
  return new Promise((resolve) => {
    let error: Error | undefined;
    let socketClosed = false;
    let streamClosed = false;
    const startRead = socket.bytesRead;
    const startWritten = socket.bytesWritten;

    const finish = () => {
      if (!socketClosed || !streamClosed) return;
      resolve({
        socketToStream: socket.bytesRead - startRead,
        streamToSocket: socket.bytesWritten - startWritten,
        error,
      });
    };
    const fail = (err: Error) => {
      error ??= err;
      if (!stream.destroyed) stream.close(h2.NGHTTP2_CANCEL);
      // libuv cannot reset a socket whose write side is already shut down (uv_tcp_close_reset: EINVAL) and
      // Node then never closes the handle: after our FIN, a plain destroy is the only way to let it go.
      if (!socket.destroyed) {
        if (socket.writableEnded) socket.destroy();
        else socket.resetAndDestroy();
      }
    };

    socket.on('error', fail);
    stream.on('error', fail);
    // A stream closed by the peer with anything but NO_ERROR is an abort: reset the socket too.
    stream.on('close', () => {
      streamClosed = true;
      if (stream.rstCode !== undefined && stream.rstCode !== h2.NGHTTP2_NO_ERROR) {
        fail(new Error(`stream reset by peer (code ${stream.rstCode})`));
      } else if (!socket.writableEnded && !socket.destroyed) {
        socket.end();
      }
      finish();
    });
    socket.on('close', () => {
      socketClosed = true;
      // Closed without a FIN from its peer (destroyed, timed out): the tunnel is aborted, not finished.
      if (!socket.readableEnded) fail(new Error('socket closed before its peer finished sending'));
      finish();
    });

    socket.pipe(stream);
    coalesceWrites(stream, socket);
    stream.pipe(socket);
  });
}

/**
 * HTTP/2 hands a stream's data over one piece at a time (at most one TLS record's worth, 16 KiB), so a plain
 * pipe() makes one write syscall per piece. Corking the socket on a large piece and uncorking once the current
 * I/O batch is done (setImmediate runs after every piece of this read was delivered) turns those into one
 * writev per socket read: 4-8x fewer syscalls and skbs on the bulk path. A short piece is most likely all there
 * is (a request or response that fits in one record), so it is written at once: no cork, no setImmediate, and
 * Node's single-buffer write path instead of writev. Must be registered before pipe() so the cork precedes
 * the write. end() uncorks by itself, and uncork() on an uncorked socket is a no-op.
 */
function coalesceWrites(stream: Http2Stream, socket: Socket): void {
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  stream.on('data', (chunk: Buffer) => {
    if (corked || chunk.length < COALESCE_FROM_BYTES || socket.writableEnded || socket.destroyed) return;
    corked = true;
    socket.cork();
    setImmediate(uncork);
  });
}

/** A piece this large is likely one of several from one read: TLS records carry 16 KiB at most, less the
 * 9-byte frame header when a DATA frame starts inside the record. */
const COALESCE_FROM_BYTES = 8 * 1024;
