// Shared set-up of the end-to-end xDS tests: a codec, fake servers and clients that are closed after the file.
import { after, before } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ProtoCodec } from '../proto/index.ts';
import { FakeXdsServer, addressType } from '../testing/index.ts';
import { XdsClient } from './index.ts';
import type { XdsClientOptions, XdsServerOptions } from './index.ts';

export interface XdsHarness {
  /** Loaded in the file's `before` hook. */
  readonly codec: ProtoCodec;
  /** Registers a cleanup to run after the file's tests. */
  onCleanup(fn: () => void): void;
  startServer(options?: XdsServerOptions & { port?: number }): Promise<FakeXdsServer>;
  startClient(address: string, extra?: Partial<XdsClientOptions>): XdsClient;
}

/** Call once at the top of a test file: it registers that file's before/after hooks. */
export function xdsHarness(variant: 'delta' | 'sotw', nodeId: string): XdsHarness {
  let codec: ProtoCodec | undefined;
  const cleanups: (() => void)[] = [];
  before(() => {
    codec = ProtoCodec.load();
  });
  after(() => {
    for (const cleanup of cleanups.reverse()) cleanup();
  });
  const harness: XdsHarness = {
    get codec(): ProtoCodec {
      if (!codec) throw new Error('xdsHarness: codec used before the before() hook ran');
      return codec;
    },
    onCleanup: (fn) => cleanups.push(fn),
    async startServer(options = {}) {
      const server = await FakeXdsServer.start(options);
      cleanups.push(() => server.close());
      return server;
    },
    startClient(address, extra = {}) {
      const client = new XdsClient({
        target: address,
        credentials: grpc.credentials.createInsecure(),
        variant,
        node: { id: nodeId },
        types: [addressType(harness.codec)],
        backoff: { initialMs: 5, maxMs: 50 },
        ...extra,
      });
      cleanups.push(() => client.close());
      client.start();
      return client;
    },
  };
  return harness;
}
