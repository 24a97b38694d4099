import * as grpc from '@grpc/grpc-js';
import { errorMessage } from '../errors.ts';
import type { Node } from '../gen/envoy/config/core/v3/Node.ts';
import { loadAdsService } from './ads-service.ts';
import { Backoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import type { ClientStream, ClientStreamContext } from './client-stream.ts';
import { ClientTypeState } from './client-type-state.ts';
import { DeltaClientStream } from './delta-client-stream.ts';
import type { WatchCallbacks, XdsResourceType } from './resource-type.ts';
import { SotwClientStream } from './sotw-client-stream.ts';
import type { XdsVariant } from './xds-connection.ts';
import { XdsError } from './xds-error.ts';
import { SILENT_LOGGER } from './xds-logger.ts';
import type { XdsLogger } from './xds-logger.ts';

/** ztunnel's limit on a decoded xDS message. */
export const DEFAULT_MAX_RECEIVE_BYTES = 200 * 1024 * 1024;

/** Options of an XdsClient. */
export interface XdsClientOptions {
  /** `host:port` of the xDS server. */
  target: string;
  credentials: grpc.ChannelCredentials;
  /** Delta (`DeltaAggregatedResources`, ztunnel) or state of the world (`StreamAggregatedResources`). Default delta. */
  variant?: XdsVariant;
  /** Sent in the first request of every stream. */
  node: Node;
  /** Call metadata (e.g. `authorization: Bearer <token>`); a function is asked again on every (re)connect. */
  metadata?: Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);
  /** The resource types this client understands; a response of any other type is NACKed. */
  types: readonly XdsResourceType<unknown>[];
  /** Reconnect delays (default 10 ms doubling to 15 s). */
  backoff?: BackoffOptions;
  channelOptions?: grpc.ChannelOptions;
  logger?: XdsLogger;
}

/** Connection facts for readiness and debugging. */
export interface XdsClientStatus {
  connected: boolean;
  /** Streams opened so far (1 + reconnects). */
  streams: number;
  lastError: string;
}

type AnyStream = grpc.ClientDuplexStream<unknown, unknown>;

/** How often a stream still waiting for its first response is logged. */
const WAITING_LOG_MS = 15_000;

/** The two ADS methods of the generated client. */
interface AdsClient {
  DeltaAggregatedResources(metadata: grpc.Metadata): AnyStream;
  StreamAggregatedResources(metadata: grpc.Metadata): AnyStream;
  close(): void;
  getChannel(): grpc.Channel;
}

/**
 * An ADS client (delta or SotW) that keeps one stream open, reconnecting with backoff, and tells watchers about
 * resources as they change. Bad resources are NACKed by name and reason; good ones in the same response apply.
 */
export class XdsClient {
  private readonly options: XdsClientOptions;
  private readonly logger: XdsLogger;
  private readonly types = new Map<string, ClientTypeState<unknown>>();
  private readonly backoff: Backoff;
  private readonly grpcClient: AdsClient;
  private call: AnyStream | null = null;
  private stream: ClientStream<unknown> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;
  private readonly state: XdsClientStatus = { connected: false, streams: 0, lastError: '' };

  constructor(options: XdsClientOptions) {
    if (options.target === '') throw new XdsError('ERR_XDS_BAD_OPTIONS', 'xDS client target is empty');
    this.options = options;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.backoff = new Backoff(options.backoff);
    for (const type of options.types) {
      if (this.types.has(type.typeUrl)) {
        throw new XdsError('ERR_XDS_BAD_OPTIONS', `resource type ${type.typeUrl} is registered twice`);
      }
      this.types.set(type.typeUrl, new ClientTypeState(type, this.logger));
    }
    const { Client } = loadAdsService();
    this.grpcClient = new Client(options.target, options.credentials, {
      'grpc.max_receive_message_length': DEFAULT_MAX_RECEIVE_BYTES,
      // grpc-js reconnects its channel on its own schedule (1 s growing to 120 s); while the channel waits, every
      // new stream fails at once, so after a long control-plane outage our 15 s stream backoff would be capped
      // by the channel's. Keep the channel's reconnect schedule within ours.
      'grpc.initial_reconnect_backoff_ms': Math.max(this.backoff.initialMs, 100),
      'grpc.max_reconnect_backoff_ms': this.backoff.maxMs,
      ...options.channelOptions,
    }) as unknown as AdsClient;
  }

  /** Opens the stream. Watches may be added before or after. */
  start(): void {
    if (this.closed) throw new XdsError('ERR_XDS_CLOSED', 'xDS client is closed');
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  /**
   * Watches one resource by name, or every resource of the type with '*'. Cached values are delivered at once
   * (on a microtask). Returns the function that ends the watch.
   */
  watch<T>(typeUrl: string, name: string, callbacks: WatchCallbacks<T>): () => void {
    const state = this.typeState(typeUrl);
    const stop = state.addWatcher(name, callbacks as WatchCallbacks<unknown>);
    this.stream?.updateSubscription(typeUrl);
    return () => {
      stop();
      this.stream?.updateSubscription(typeUrl);
    };
  }

  /**
   * Resolves once the first response of the type has been answered (ACK, or NACK whose good resources were
   * applied). Without a type: every type being watched right now.
   */
  ready(typeUrl?: string): Promise<void> {
    if (typeUrl !== undefined) return this.typeState(typeUrl).ready();
    return Promise.all([...this.types.values()].filter((s) => s.watched).map((s) => s.ready())).then(() => {});
  }

  /** The last good value of a resource, if held. */
  get<T>(typeUrl: string, name: string): T | undefined {
    return this.typeState(typeUrl).entries.get(name)?.value as T | undefined;
  }

  /** Every resource held for a type: name → version. */
  versions(typeUrl: string): Map<string, string> {
    return new Map([...this.typeState(typeUrl).entries].map(([name, entry]) => [name, entry.version]));
  }

  status(): Readonly<XdsClientStatus> {
    return { ...this.state };
  }

  /** Ends the stream and stops reconnecting. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.call?.cancel();
    this.grpcClient.close();
  }

  private typeState(typeUrl: string): ClientTypeState<unknown> {
    const state = this.types.get(typeUrl);
    if (state === undefined) throw new XdsError('ERR_XDS_UNKNOWN_TYPE', `no resource type registered for ${typeUrl}`);
    return state;
  }

  private connect(): void {
    this.timer = null;
    if (this.closed) return;
    // waitForReady: while the channel is reconnecting (the control plane is down or restarting) the stream waits
    // for the connection instead of failing at once, so it starts the moment the channel is back rather than
    // at our next backoff tick, which could be up to 15 s later.
    const metadata = new grpc.Metadata({ waitForReady: true });
    const entries = typeof this.options.metadata === 'function' ? this.options.metadata() : this.options.metadata;
    for (const [key, value] of Object.entries(entries ?? {})) metadata.set(key, value);
    const variant = this.options.variant ?? 'delta';
    const call =
      variant === 'delta'
        ? this.grpcClient.DeltaAggregatedResources(metadata)
        : this.grpcClient.StreamAggregatedResources(metadata);
    this.call = call;
    this.state.streams++;
    const ctx: ClientStreamContext<never> = {
      node: this.options.node,
      types: this.types,
      logger: this.logger,
      send: (request) => {
        if (this.call === call) call.write(request);
      },
    };
    const stream: ClientStream<unknown> = variant === 'delta' ? new DeltaClientStream(ctx) : new SotwClientStream(ctx);
    this.stream = stream;
    let gotResponse = false;
    // A waiting stream says nothing by itself: tell the operator every 15 s that istiod has not answered yet,
    // and what the channel is doing (CONNECTING, TRANSIENT_FAILURE: unreachable, TLS refused, ...).
    const waiting = setInterval(() => {
      if (gotResponse || this.call !== call) {
        clearInterval(waiting);
        return;
      }
      const channel = grpc.connectivityState[this.grpcClient.getChannel().getConnectivityState(false)];
      this.logger.warn({ target: this.options.target, channel }, 'xDS stream not answered yet; waiting for the control plane');
    }, WAITING_LOG_MS);
    waiting.unref();
    call.on('data', (response: unknown) => {
      if (!gotResponse) {
        gotResponse = true;
        this.state.connected = true;
        this.backoff.reset();
      }
      try {
        stream.handleResponse(response);
      } catch (err) {
        this.logger.warn({ target: this.options.target }, `xDS response handling failed: ${errorMessage(err)}`);
      }
    });
    // grpc-js emits 'error' for every non-OK status and then 'status'; 'status' alone ends the stream.
    call.on('error', (err: Error) => {
      this.state.lastError = err.message;
    });
    call.on('status', (status: grpc.StatusObject) => this.onStreamEnd(call, status));
    stream.start();
  }

  private onStreamEnd(call: AnyStream, status: grpc.StatusObject): void {
    if (this.call !== call) return;
    this.call = null;
    this.stream = null;
    this.state.connected = false;
    if (this.closed) return;
    if (status.code !== grpc.status.OK) this.state.lastError = `${grpc.status[status.code]}: ${status.details}`;
    const delay = this.backoff.next();
    this.logger.info({ target: this.options.target, code: status.code, delay }, 'xDS stream ended; reconnecting');
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

