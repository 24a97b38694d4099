// istiod's one gRPC port: TLS with a serving certificate (no client certificates; callers authenticate with
// their token), ADS and the CA side by side. Bound before anything is served, so a bind failure stops startup.
import * as grpc from '@grpc/grpc-js';
import { formatAddress } from '@mesh/common/config';
import type { Address } from '@mesh/common/config';
import { DEFAULT_MAX_RECEIVE_BYTES } from '@mesh/common/xds';
import { MeshError } from '@mesh/common/errors';

export interface GrpcServerInputs {
  readonly addr: Address;
  /** PEM key and chain (leaf first). */
  readonly keyPem: string;
  readonly certChainPem: string;
  /** Each adds its service(s) to the server. */
  readonly services: readonly ((server: grpc.Server) => void)[];
}

export interface BoundGrpcServer {
  readonly server: grpc.Server;
  /** The bound address (the real port when asked for 0). */
  readonly address: Address;
  /** Stops accepting, lets calls end for up to `graceMs`, then cancels the rest. */
  close(graceMs: number): Promise<void>;
}

export async function bindGrpcServer(inputs: GrpcServerInputs): Promise<BoundGrpcServer> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': DEFAULT_MAX_RECEIVE_BYTES,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  });
  for (const add of inputs.services) add(server);
  const credentials = grpc.ServerCredentials.createSsl(
    null,
    [{ private_key: Buffer.from(inputs.keyPem), cert_chain: Buffer.from(inputs.certChainPem) }],
    false,
  );
  const target = formatAddress(inputs.addr);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(target, credentials, (err, bound) => {
      if (err) reject(new MeshError('ERR_ISTIOD_GRPC_BIND', `cannot listen on ${target}: ${err.message}`, { cause: err }));
      else resolve(bound);
    });
  });
  return {
    server,
    address: { host: inputs.addr.host, port },
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
