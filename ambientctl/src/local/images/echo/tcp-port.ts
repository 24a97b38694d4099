// A raw TCP port: writes the identity lines on connect, then echoes every byte back (pipe, no per-byte work) and
// keeps half-close: the client's FIN ends our side once everything was echoed.
import type { PortInputs, PortServer } from './port-server.ts';
import type { EchoPort } from './ports.ts';
import { identityLines, peerIp } from './fields.ts';
import { TrackedListener } from './tracked-listener.ts';

/** Serves the TCP echo on one port. */
export class TcpPort implements PortServer {
  readonly port: EchoPort;
  readonly boundPort: number;
  readonly #listener: TrackedListener;

  private constructor(port: EchoPort, boundPort: number, listener: TrackedListener) {
    this.port = port;
    this.boundPort = boundPort;
    this.#listener = listener;
  }

  static async bind(inputs: PortInputs): Promise<TcpPort> {
    let servicePort = inputs.port.port;
    const listener = new TrackedListener(
      (socket) => {
        const lines = identityLines({
          serviceVersion: inputs.serviceVersion,
          servicePort,
          hostname: inputs.hostname,
          ip: peerIp(socket.remoteAddress),
        });
        socket.write(`${lines.join('\n')}\n`);
        socket.pipe(socket);
      },
      { allowHalfOpen: true },
    );
    servicePort = await listener.listen(inputs.port.port, inputs.host);
    return new TcpPort(inputs.port, servicePort, listener);
  }

  async graceful(): Promise<void> {
    this.#listener.stopAccepting();
    // Echo connections have no request boundary to wait for: send FIN and let the peers finish.
    for (const socket of this.#listener.connections) socket.end();
    await this.#listener.whenIdle();
  }

  force(): void {
    this.#listener.destroyAll();
  }
}
