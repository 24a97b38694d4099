import * as grpc from '@grpc/grpc-js';
import { errorMessage } from '../errors.ts';
import type { DeltaDiscoveryResponse } from '../gen/envoy/service/discovery/v3/DeltaDiscoveryResponse.ts';
import type { DiscoveryResponse } from '../gen/envoy/service/discovery/v3/DiscoveryResponse.ts';
import { loadAdsService } from './ads-service.ts';
import { DeltaServerStream } from './delta-server-stream.ts';
import { ResourceStore } from './resource-store.ts';
import type { ServerStream, ServerStreamContext } from './server-stream.ts';
import { SotwServerStream } from './sotw-server-stream.ts';
import { syncStatusOf } from './xds-connection.ts';
import type { NackRecord, SyncStatus, XdsConnection, XdsVariant } from './xds-connection.ts';
import { SILENT_LOGGER } from './xds-logger.ts';
import type { XdsLogger } from './xds-logger.ts';

/** What the authentication hook sees of a new stream. */
export interface XdsAuthContext {
  metadata: grpc.Metadata;
  peer: string;
}

/** Options of an XdsServer. Every field is optional. */
export interface XdsServerOptions {
  /** The resources to serve; a new empty store when absent. */
  store?: ResourceStore;
  /** Type URLs served; requests for others are ignored with a warning. Absent: every type is served. */
  typeUrls?: readonly string[];
  /**
   * Runs before a stream is served. Throwing (or rejecting) ends the stream with UNAUTHENTICATED and the error
   * message; the returned value is kept as the connection's `identity`.
   */
  authenticate?: (ctx: XdsAuthContext) => unknown;
  /**
   * After authentication, with the first request (so the node is known): throwing refuses the stream with
   * PERMISSION_DENIED and the error message before anything is sent (e.g. a caller whose identity does not
   * match its node).
   */
  authorizeNode?: (conn: XdsConnection) => void;
  /** After the first request of a stream (so the node is known). */
  onConnect?: (conn: XdsConnection) => void;
  /** When a stream that connected ends, whatever the reason. */
  onDisconnect?: (conn: XdsConnection) => void;
  /** Every NACK a client sends (reject metrics); the connection's `lastNack` is already updated. */
  onNack?: (conn: XdsConnection, typeUrl: string, nack: NackRecord) => void;
  /** Every response as it is written (push metrics, tests). */
  onResponse?: (conn: XdsConnection, response: DiscoveryResponse | DeltaDiscoveryResponse) => void;
  logger?: XdsLogger;
}

type AnyCall = grpc.ServerDuplexStream<unknown, unknown>;

/**
 * An ADS server (both `StreamAggregatedResources` and `DeltaAggregatedResources`) that serves `store` and pushes
 * its changes. It does not own a grpc.Server: `addTo` adds the service to one, so the CA can share the port.
 */
export class XdsServer {
  readonly store: ResourceStore;
  private readonly options: XdsServerOptions;
  private readonly logger: XdsLogger;
  private readonly typeUrls: ReadonlySet<string> | null;
  private readonly live = new Map<XdsConnection, AnyCall>();
  private nextConnectionId = 0;
  private nonceCounter = 0;

  constructor(options: XdsServerOptions = {}) {
    this.options = options;
    this.store = options.store ?? new ResourceStore();
    this.logger = options.logger ?? SILENT_LOGGER;
    this.typeUrls = options.typeUrls === undefined ? null : new Set(options.typeUrls);
  }

  /** Adds the ADS service to `server` (before it starts). */
  addTo(server: grpc.Server): void {
    const { definition } = loadAdsService();
    server.addService(definition, {
      StreamAggregatedResources: (call: AnyCall) => void this.serve(call, 'sotw'),
      DeltaAggregatedResources: (call: AnyCall) => void this.serve(call, 'delta'),
    });
  }

  /** Live connections (those that sent at least one request). */
  connections(): XdsConnection[] {
    return [...this.live.keys()];
  }

  /** One row per connection and type: nonce, versions sent and ACKed, last NACK. */
  syncz(): SyncStatus[] {
    return this.connections().flatMap(syncStatusOf);
  }

  /** Ends every stream with UNAVAILABLE (shutdown, or a test simulating an istiod restart). */
  disconnectAll(): void {
    for (const call of [...this.live.values()]) {
      call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'xDS server is disconnecting every stream' });
    }
  }

  private async serve(call: AnyCall, variant: XdsVariant): Promise<void> {
    const peer = call.getPeer();
    let identity: unknown;
    try {
      identity = await this.options.authenticate?.({ metadata: call.metadata, peer });
    } catch (err) {
      this.logger.warn({ peer, variant }, `xDS stream refused: ${errorMessage(err)}`);
      call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: errorMessage(err) });
      return;
    }
    const conn: XdsConnection = {
      id: `${variant}-${++this.nextConnectionId}`,
      variant,
      peer,
      metadata: call.metadata,
      identity,
      node: null,
      connectedAt: new Date(),
      types: new Map(),
      ignoredTypeUrls: new Set(),
    };
    let ended = false;
    let connected = false;
    const ctx: ServerStreamContext<unknown> = {
      conn,
      store: this.store,
      logger: this.logger,
      servesType: (typeUrl) => this.typeUrls === null || this.typeUrls.has(typeUrl),
      send: (response) => {
        if (ended || call.cancelled) return;
        call.write(response);
        this.options.onResponse?.(conn, response as DiscoveryResponse | DeltaDiscoveryResponse);
      },
      nextNonce: () => String(++this.nonceCounter),
      onNack: (typeUrl, nack) => this.options.onNack?.(conn, typeUrl, nack),
      onFirstRequest: () => {
        try {
          this.options.authorizeNode?.(conn);
        } catch (err) {
          this.logger.warn({ peer, node: conn.node?.id ?? '' }, `xDS stream refused: ${errorMessage(err)}`);
          ended = true;
          stopWatching();
          call.emit('error', { code: grpc.status.PERMISSION_DENIED, details: errorMessage(err) });
          return false;
        }
        connected = true;
        this.live.set(conn, call);
        this.logger.info({ connection: conn.id, node: conn.node?.id ?? '', peer }, 'xDS stream connected');
        this.options.onConnect?.(conn);
        return true;
      },
    };
    const stream: ServerStream<never> =
      variant === 'delta'
        ? new DeltaServerStream(ctx as ServerStreamContext<never>)
        : new SotwServerStream(ctx as ServerStreamContext<never>);
    const stopWatching = this.store.subscribe((change) => {
      if (!ended) stream.onStoreChange(change);
    });
    const finish = (): void => {
      if (ended) return;
      ended = true;
      stopWatching();
      if (!connected) return;
      this.live.delete(conn);
      this.logger.info({ connection: conn.id, node: conn.node?.id ?? '' }, 'xDS stream ended');
      this.options.onDisconnect?.(conn);
    };
    call.on('data', (request: unknown) => {
      if (ended) return;
      try {
        stream.handleRequest(request as never);
      } catch (err) {
        // A bug or a malformed request must not take the server down; the stream goes, the process stays.
        this.logger.warn({ connection: conn.id }, `xDS request failed: ${errorMessage(err)}`);
        call.emit('error', { code: grpc.status.INTERNAL, details: `xDS request failed: ${errorMessage(err)}` });
      }
    });
    call.on('end', () => {
      finish();
      call.end();
    });
    call.on('cancelled', finish);
    call.on('error', finish);
    call.on('close', finish);
  }
}
