// A gRPC port: `proto.EchoTestService/Echo` over h2c. Connections are accepted by our own listener and injected
// into grpc-js, so the peer address, the bind address and the drain work as on the other ports.
import * as grpc from '@grpc/grpc-js';
import type { EchoMessage } from './echo-proto.ts';
import { loadEchoService } from './echo-proto.ts';
import { peerIp, requestLines } from './fields.ts';
import type { PortInputs, PortServer } from './port-server.ts';
import type { EchoPort } from './ports.ts';
import { TrackedListener } from './tracked-listener.ts';

/** How long open gRPC sessions get after GOAWAY on drain before grpc-js closes them. */
const DRAIN_GRACE_MS = 2_000;

/** `10.0.0.1:4000` / `::1:4000` (grpc-js getPeer) → the address part. */
function peerAddress(peer: string): string {
  const colon = peer.lastIndexOf(':');
  const host = colon > 0 ? peer.slice(0, colon) : peer;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function metadataPairs(metadata: grpc.Metadata): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, values] of Object.entries(metadata.toJSON())) {
    for (const v of values) pairs.push([name, Buffer.isBuffer(v) ? v.toString('base64') : String(v)]);
  }
  return pairs;
}

/** Serves the echo gRPC service on one port. */
export class GrpcPort implements PortServer {
  readonly port: EchoPort;
  readonly boundPort: number;
  readonly #listener: TrackedListener;
  readonly #injector: grpc.ConnectionInjector;

  private constructor(port: EchoPort, boundPort: number, listener: TrackedListener, injector: grpc.ConnectionInjector) {
    this.port = port;
    this.boundPort = boundPort;
    this.#listener = listener;
    this.#injector = injector;
  }

  static async bind(inputs: PortInputs): Promise<GrpcPort> {
    let servicePort = inputs.port.port;
    const server = new grpc.Server();
    server.addService(loadEchoService().definition, {
      Echo: (call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, done: grpc.sendUnaryData<EchoMessage>) => {
        const lines = requestLines(
          { serviceVersion: inputs.serviceVersion, servicePort, hostname: inputs.hostname, ip: peerIp(peerAddress(call.getPeer())) },
          {
            host: call.getHost(),
            method: 'POST',
            url: call.getPath(),
            proto: 'GRPC',
            statusCode: 200,
            headers: metadataPairs(call.metadata),
          },
        );
        done(null, { message: [...lines, `Echo=${call.request.message}`].join('\n') + '\n' });
      },
    });
    const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    const listener = new TrackedListener((socket) => injector.injectConnection(socket));
    servicePort = await listener.listen(inputs.port.port, inputs.host);
    return new GrpcPort(inputs.port, servicePort, listener, injector);
  }

  async graceful(): Promise<void> {
    this.#listener.stopAccepting();
    this.#injector.drain(DRAIN_GRACE_MS);
    await this.#listener.whenIdle();
  }

  force(): void {
    this.#injector.destroy();
    this.#listener.destroyAll();
  }
}
