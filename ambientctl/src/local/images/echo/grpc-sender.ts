// The gRPC part of client mode: calls `proto.EchoTestService/Echo` with the message and headers as metadata.
import * as grpc from '@grpc/grpc-js';
import type { ClientOptions } from './client-args.ts';
import type { Sender } from './client.ts';
import { loadEchoService, type EchoMessage } from './echo-proto.ts';

/** A sender over one gRPC channel. */
export function grpcSender(o: ClientOptions): Sender {
  const { Client } = loadEchoService();
  const client = new Client(o.url.host, grpc.credentials.createInsecure());
  const echo = client['Echo'] as (
    req: EchoMessage,
    md: grpc.Metadata,
    opts: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: EchoMessage) => void,
  ) => void;
  return {
    send: () =>
      new Promise((resolve, reject) => {
        const md = new grpc.Metadata();
        for (const [k, v] of o.headers) md.add(k.toLowerCase(), v);
        echo.call(client, { message: o.message }, md, { deadline: Date.now() + o.timeoutMs }, (err, res) => {
          if (err) reject(new Error(`gRPC ${grpc.status[err.code] ?? err.code}: ${err.details || err.message}`));
          else resolve({ text: res?.message ?? '' });
        });
      }),
    close: () => client.close(),
  };
}
