import * as grpc from '@grpc/grpc-js';
import { XdsServer } from '../xds/index.ts';
import type { ResourceStore, XdsServerOptions } from '../xds/index.ts';

/**
 * An xDS server on 127.0.0.1 with an OS-chosen port, for component tests: fill `store`, point the component at
 * `address`, and `close()` in `after`.
 */
export class FakeXdsServer {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly port: number;
  readonly xds: XdsServer;
  readonly store: ResourceStore;
  private readonly server: grpc.Server;

  private constructor(server: grpc.Server, xds: XdsServer, port: number) {
    this.server = server;
    this.xds = xds;
    this.store = xds.store;
    this.port = port;
    this.address = `127.0.0.1:${port}`;
  }

  /**
   * Binds and starts; options go to the XdsServer (a shared store, auth hook, served types). `port` rebinds a
   * known port, to simulate an xDS server restart.
   */
  static async start(options: XdsServerOptions & { port?: number } = {}): Promise<FakeXdsServer> {
    const server = new grpc.Server();
    const xds = new XdsServer(options);
    xds.addTo(server);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err === null ? resolve(bound) : reject(err),
      );
    });
    return new FakeXdsServer(server, xds, port);
  }

  /** Stops at once, cutting open streams (clients see UNAVAILABLE and reconnect). */
  close(): void {
    this.server.forceShutdown();
  }
}
