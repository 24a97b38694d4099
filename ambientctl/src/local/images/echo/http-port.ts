// An HTTP port: HTTP/1.1 and HTTP/2 with prior knowledge (h2c) on the same listener. The first bytes decide:
// the HTTP/2 connection preface goes to the HTTP/2 server, anything else to the HTTP/1.1 server.
import { createServer as createHttp1Server, type Server as Http1Server } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { createHttpHandler } from './http-handler.ts';
import type { PortInputs, PortServer } from './port-server.ts';
import { TrackedListener } from './tracked-listener.ts';
import type { EchoPort } from './ports.ts';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Reads until the first bytes tell HTTP/2 from HTTP/1.1, puts them back, and reports which one it is. */
function sniff(socket: Socket, decide: (isHttp2: boolean) => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    seen = Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, H2_PREFACE.length);
    const isHttp2 = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (isHttp2 && seen.length < H2_PREFACE.length) return;
    socket.off('data', onData);
    socket.pause();
    socket.unshift(seen);
    decide(isHttp2);
  };
  socket.on('data', onData);
}

/** Serves HTTP/1.1 + h2c on one port. */
export class HttpPort implements PortServer {
  readonly port: EchoPort;
  readonly boundPort: number;
  readonly #listener: TrackedListener;
  readonly #http1: Http1Server;
  readonly #sessions: Set<ServerHttp2Session>;
  #draining = false;

  private constructor(port: EchoPort, boundPort: number, listener: TrackedListener, http1: Http1Server, sessions: Set<ServerHttp2Session>) {
    this.port = port;
    this.boundPort = boundPort;
    this.#listener = listener;
    this.#http1 = http1;
    this.#sessions = sessions;
    // While draining, a keep-alive connection closes as soon as its response is written.
    http1.on('request', (_req, res: { once(e: 'finish', f: () => void): void }) =>
      res.once('finish', () => {
        if (this.#draining) setImmediate(() => http1.closeIdleConnections());
      }),
    );
  }

  static async bind(inputs: PortInputs): Promise<HttpPort> {
    let servicePort = inputs.port.port;
    const handler = createHttpHandler({
      serviceVersion: inputs.serviceVersion,
      hostname: inputs.hostname,
      get servicePort() {
        return servicePort;
      },
    });
    const http1 = createHttp1Server({ keepAliveTimeout: 30_000 }, handler);
    const http2: Http2Server = createHttp2Server({}, handler);
    const sessions = new Set<ServerHttp2Session>();
    http2.on('session', (session: ServerHttp2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
      session.on('error', () => session.destroy());
    });
    const listener = new TrackedListener((socket) =>
      sniff(socket, (isHttp2) => {
        if (isHttp2) {
          // The HTTP/2 session reads what is already buffered on the socket itself.
          http2.emit('connection', socket);
        } else {
          // The HTTP/1.1 parser takes over the socket's reads; the sniffed bytes still sit in the stream buffer
          // and reach it as a 'data' event once the socket flows again (on the next tick, before any new read).
          http1.emit('connection', socket);
          socket.resume();
        }
      }),
    );
    servicePort = await listener.listen(inputs.port.port, inputs.host);
    return new HttpPort(inputs.port, servicePort, listener, http1, sessions);
  }

  async graceful(): Promise<void> {
    this.#draining = true;
    this.#listener.stopAccepting();
    this.#http1.closeIdleConnections();
    for (const session of this.#sessions) session.close();
    await this.#listener.whenIdle();
  }

  force(): void {
    for (const session of this.#sessions) session.destroy();
    this.#listener.destroyAll();
  }
}
