// Loads echo.proto once per caller (server or client); the service definition is read from the file next to this.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The proto file of the echo service. */
export const ECHO_PROTO = fileURLToPath(new URL('./echo.proto', import.meta.url));

/** Full gRPC method path of Echo. */
export const ECHO_METHOD = '/proto.EchoTestService/Echo';

/** The `EchoRequest` / `EchoResponse` messages. */
export interface EchoMessage {
  message: string;
}

/** The loaded `proto.EchoTestService`: its service definition and a client constructor. */
export interface EchoService {
  readonly definition: grpc.ServiceDefinition;
  readonly Client: grpc.ServiceClientConstructor;
}

/** Loads the service from echo.proto. */
export function loadEchoService(): EchoService {
  const pkgDef = protoLoader.loadSync(ECHO_PROTO, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(pkgDef) as unknown as { proto: { EchoTestService: grpc.ServiceClientConstructor } };
  const Client = pkg.proto.EchoTestService;
  return { definition: Client.service, Client };
}
