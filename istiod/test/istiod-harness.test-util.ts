// Shared set-up of istiod's component tests: a local API server, istiod started in-process against it, a
// ztunnel service-account token, and delta xDS clients (ours) that trust istiod's root.
import * as grpc from '@grpc/grpc-js';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@mesh/common/log';
import { ProtoCodec, TYPE_URL } from '@mesh/common/proto';
import { WatchRecorder, addressType, startLocalApiServer } from '@mesh/common/testing';
import type { LocalApiServer } from '@mesh/common/testing';
import { XdsClient, loadAdsService, protoResourceType } from '@mesh/common/xds';
import { loadConfig } from '../src/config.ts';
import { startIstiod } from '../src/istiod.ts';
import type { Istiod } from '../src/istiod.ts';

export const ZTUNNEL_NODE_ID = 'ztunnel~10.244.0.2~ztunnel-node-0.istio-system~istio-system.svc.cluster.local';

/** The target is an IP; TLS checks istiod's certificate against its DNS name instead (no IP as SNI). */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = { 'grpc.ssl_target_name_override': 'istiod.istio-system.svc' };

export interface Harness {
  readonly api: LocalApiServer;
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly istiod: Istiod;
  readonly codec: ProtoCodec;
  /** A TokenRequest token of istio-system/ztunnel, audience istio-ca. */
  readonly token: string;
  /** host:port of istiod's gRPC port. */
  readonly target: string;
  readonly credentials: grpc.ChannelCredentials;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const api = await startLocalApiServer();
  const cleanups: (() => Promise<void> | void)[] = [() => api.close()];
  const close = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) await fn();
  };
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(api.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'istio-system' } } });
    await core.createNamespacedServiceAccount({ namespace: 'istio-system', body: { metadata: { name: 'ztunnel' } } });
    const tr = await core.createNamespacedServiceAccountToken({
      name: 'ztunnel',
      namespace: 'istio-system',
      body: { spec: { audiences: ['istio-ca'], expirationSeconds: 3600 } },
    });
    const token = tr.status?.token ?? '';
    const { config, entries } = loadConfig({
      ISTIOD_GRPC_ADDR: '127.0.0.1:0',
      ISTIOD_HTTP_ADDR: '127.0.0.1:0',
      PILOT_DEBOUNCE_AFTER: '20ms',
      ...env,
    });
    const codec = ProtoCodec.load();
    const istiod = await startIstiod(config, {
      kc,
      codec,
      log: createLogger({ level: (process.env['TEST_LOG_LEVEL'] as 'info' | undefined) ?? 'error', format: 'text' }),
      configEntries: entries,
      kubeRetry: { initialMs: 50, maxMs: 500 },
    });
    cleanups.push(() => istiod.close());
    const credentials = grpc.credentials.createSsl(Buffer.from(istiod.rootCertPem));
    return {
      api,
      kc,
      core,
      istiod,
      codec,
      token,
      target: `127.0.0.1:${istiod.grpcAddress.port}`,
      credentials,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface ZtunnelClient {
  readonly client: XdsClient;
  readonly addresses: WatchRecorder<unknown>;
  readonly authorizations: WatchRecorder<unknown>;
}

/** A ztunnel-like delta client watching both types (wildcard). */
export function startZtunnelClient(h: Harness, token = h.token): ZtunnelClient {
  const client = new XdsClient({
    target: h.target,
    credentials: h.credentials,
    node: { id: ZTUNNEL_NODE_ID },
    metadata: { authorization: `Bearer ${token}`, clusterid: 'Kubernetes' },
    types: [addressType(h.codec), protoResourceType(h.codec, TYPE_URL.AUTHORIZATION)],
    backoff: { initialMs: 20, maxMs: 200 },
    channelOptions: CHANNEL_OPTIONS,
  });
  const addresses = new WatchRecorder<unknown>();
  const authorizations = new WatchRecorder<unknown>();
  client.watch(TYPE_URL.ADDRESS, '*', addresses);
  client.watch(TYPE_URL.AUTHORIZATION, '*', authorizations);
  client.start();
  return { client, addresses, authorizations };
}

export interface RawDeltaStream {
  readonly responses: Record<string, unknown>[];
  status: grpc.StatusObject | null;
  write(request: object): void;
  close(): void;
}

/** A raw DeltaAggregatedResources stream, so a test controls every request exactly. */
export function openRawDelta(h: Harness, metadata: Record<string, string>): RawDeltaStream {
  const { Client } = loadAdsService();
  const client = new Client(h.target, h.credentials, CHANNEL_OPTIONS) as unknown as {
    DeltaAggregatedResources(md: grpc.Metadata): grpc.ClientDuplexStream<object, Record<string, unknown>>;
    close(): void;
  };
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  const call = client.DeltaAggregatedResources(md);
  const stream: RawDeltaStream = {
    responses: [],
    status: null,
    write: (request) => call.write(request),
    close: () => {
      call.cancel();
      client.close();
    },
  };
  call.on('data', (r: Record<string, unknown>) => stream.responses.push(r));
  call.on('error', () => {});
  call.on('status', (s: grpc.StatusObject) => (stream.status = s));
  return stream;
}

/** GET on istiod's HTTP port. */
export async function httpGet(h: Harness, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${h.istiod.httpAddress.port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}
