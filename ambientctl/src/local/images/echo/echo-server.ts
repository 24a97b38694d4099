// The echo server: one listener per configured port, each of its kind, bound before anything is served.
import { Drain } from '@mesh/common/lifecycle';
import type { EchoServerConfig } from './config.ts';
import { HttpPort } from './http-port.ts';
import type { PortInputs, PortServer } from './port-server.ts';
import type { PortKind } from './ports.ts';
import { TcpPort } from './tcp-port.ts';

const BINDERS: Readonly<Record<PortKind, (inputs: PortInputs) => Promise<PortServer>>> = {
  http: (i) => HttpPort.bind(i),
  // gRPC is loaded only when a port needs it: it is the slowest import.
  grpc: async (i) => (await import('./grpc-port.ts')).GrpcPort.bind(i),
  tcp: (i) => TcpPort.bind(i),
};

/** The running echo app: its ports, in configuration order. */
export class EchoServer {
  readonly ports: readonly PortServer[];

  private constructor(ports: readonly PortServer[]) {
    this.ports = ports;
  }

  /** Binds every port; if one fails, the ones already bound are closed and the error names the port. */
  static async start(config: Pick<EchoServerConfig, 'ports' | 'host' | 'serviceVersion' | 'hostname'>): Promise<EchoServer> {
    const bound: PortServer[] = [];
    try {
      for (const port of config.ports) {
        bound.push(await BINDERS[port.kind]({ port, host: config.host, serviceVersion: config.serviceVersion, hostname: config.hostname }));
      }
    } catch (err) {
      for (const p of bound) p.force();
      throw err;
    }
    return new EchoServer(bound);
  }

  /** The bound port of the first port of `kind` (tests bind port 0). */
  portOf(kind: PortKind): number {
    const p = this.ports.find((x) => x.port.kind === kind);
    if (!p) throw new Error(`the echo server has no ${kind} port`);
    return p.boundPort;
  }

  /** Adds every port to `drain` as a participant. */
  registerWith(drain: Drain): void {
    for (const p of this.ports) drain.register(`${p.port.kind}:${p.boundPort}`, p);
  }

  /** Drains every port gracefully; forces what is still open after `deadlineMs`. */
  async close(deadlineMs = 5_000): Promise<void> {
    const drain = new Drain({ deadlineMs });
    this.registerWith(drain);
    await drain.start('close');
  }
}
