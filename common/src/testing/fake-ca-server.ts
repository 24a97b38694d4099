import * as grpc from '@grpc/grpc-js';
import { errorMessage } from '../errors.ts';
import {
  IMPERSONATED_IDENTITY_KEY,
  caServiceDefinition,
  structString,
  type IstioCertificateServiceHandlers,
} from '../proto/index.ts';
import { CertificateAuthority, parseCsr } from '../ca/index.ts';

/** One CreateCertificate call as the fake CA saw it. */
export interface FakeCaRequest {
  readonly csrPem: string;
  /** `validity_duration` in seconds (0 when unset). */
  readonly validitySeconds: number;
  /** The SPIFFE ID in the CSR, or undefined when it could not be parsed. */
  readonly csrIdentity?: string;
  /** `metadata.ImpersonatedIdentity`, if sent. */
  readonly impersonatedIdentity?: string;
  /** The `authorization` gRPC metadata value, if sent. */
  readonly authorization?: string;
  /** The `clusterid` gRPC metadata value, if sent. */
  readonly clusterId?: string;
}

/** A gRPC error the fake answers with instead of a certificate. */
export interface FakeCaFailure {
  readonly code: grpc.status;
  readonly details: string;
}

export interface FakeCaServerOptions {
  /** The CA that signs; default a fresh one (trust domain cluster.local). */
  readonly ca?: CertificateAuthority;
  /** Rebind a known port, to simulate a CA restart. Default: OS-chosen. */
  readonly port?: number;
  /** Serve plaintext instead of TLS. Default false: TLS with a serving cert for 127.0.0.1, localhost and istiod. */
  readonly insecure?: boolean;
}

/** Names in the fake's serving certificate: loopback, plus istiod's default name for clients that override the target. */
const SERVING_DNS = ['localhost', 'istiod.istio-system.svc', 'istiod'];
const SERVING_IPS = ['127.0.0.1'];

/**
 * A fake Istio CA on 127.0.0.1 for component tests: signs any valid CSR (for the impersonated identity when one
 * is given, else the CSR's own) with a real {@link CertificateAuthority}, records every request and can be told
 * to fail. Point the client at `url` with `rootCertPem` as its CA root; `close()` in `after`.
 */
export class FakeCaServer {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** `https://127.0.0.1:<port>` (or `http://` when insecure): ztunnel's CA_ADDRESS form. */
  readonly url: string;
  readonly port: number;
  readonly ca: CertificateAuthority;
  /** Every request received, in order (including failed ones). */
  readonly requests: FakeCaRequest[] = [];
  readonly #server: grpc.Server;
  #failures: FakeCaFailure[] = [];
  #failAlways: FakeCaFailure | undefined;

  private constructor(server: grpc.Server, ca: CertificateAuthority, port: number, insecure: boolean) {
    this.#server = server;
    this.ca = ca;
    this.port = port;
    this.address = `127.0.0.1:${port}`;
    this.url = `${insecure ? 'http' : 'https'}://${this.address}`;
  }

  static async start(options: FakeCaServerOptions = {}): Promise<FakeCaServer> {
    const ca = options.ca ?? (await CertificateAuthority.generate());
    let credentials = grpc.ServerCredentials.createInsecure();
    if (!options.insecure) {
      const serving = await ca.issueServingCert({ dnsNames: SERVING_DNS, ipAddresses: SERVING_IPS });
      credentials = grpc.ServerCredentials.createSsl(
        null,
        [{ private_key: Buffer.from(serving.keyPem), cert_chain: Buffer.from(serving.certChainPem) }],
        false,
      );
    }
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${options.port ?? 0}`, credentials, (err, bound) =>
        err === null ? resolve(bound) : reject(err),
      );
    });
    const fake = new FakeCaServer(server, ca, port, options.insecure === true);
    server.addService(caServiceDefinition(), fake.#handlers());
    return fake;
  }

  /** The mesh root clients must trust (PEM). */
  get rootCertPem(): string {
    return this.ca.rootCertPem;
  }

  /** The next `count` requests fail with `failure` (default UNAVAILABLE). */
  failNext(count = 1, failure: FakeCaFailure = { code: grpc.status.UNAVAILABLE, details: 'fake CA told to fail' }): void {
    for (let i = 0; i < count; i++) this.#failures.push(failure);
  }

  /** Every request fails with `failure` (default UNAVAILABLE) until {@link stopFailing}. */
  failAll(failure: FakeCaFailure = { code: grpc.status.UNAVAILABLE, details: 'fake CA told to fail' }): void {
    this.#failAlways = failure;
  }

  /** Ends {@link failAll} and drops pending {@link failNext} failures. */
  stopFailing(): void {
    this.#failAlways = undefined;
    this.#failures = [];
  }

  /** Stops at once, cutting calls in flight. */
  close(): void {
    this.#server.forceShutdown();
  }

  #handlers(): IstioCertificateServiceHandlers {
    return {
      CreateCertificate: (call, callback) => {
        const req = call.request;
        const impersonated = structString(req.metadata, IMPERSONATED_IDENTITY_KEY);
        const text = (key: string): string | undefined => {
          const v = call.metadata.get(key)[0];
          return typeof v === 'string' ? v : undefined;
        };
        const authorization = text('authorization');
        const clusterId = text('clusterid');
        const record = {
          csrPem: req.csr,
          validitySeconds: Number(req.validity_duration),
          ...(impersonated !== undefined ? { impersonatedIdentity: impersonated } : {}),
          ...(authorization !== undefined ? { authorization } : {}),
          ...(clusterId !== undefined ? { clusterId } : {}),
        };
        const failure = this.#failures.shift() ?? this.#failAlways;
        void this.#sign(req.csr, record.validitySeconds, impersonated).then(
          ({ chain, csrIdentity }) => {
            this.requests.push({ ...record, ...(csrIdentity !== undefined ? { csrIdentity } : {}) });
            if (failure) callback({ code: failure.code, details: failure.details });
            else if (chain instanceof Error) callback({ code: grpc.status.INVALID_ARGUMENT, details: chain.message });
            else callback(null, { cert_chain: chain });
          },
        );
      },
    };
  }

  async #sign(
    csr: string,
    ttlSeconds: number,
    impersonated: string | undefined,
  ): Promise<{ chain: string[] | Error; csrIdentity?: string }> {
    let csrIdentity: string | undefined;
    try {
      csrIdentity = (await parseCsr(csr)).identity.toString();
      const ttl = Number.isFinite(ttlSeconds) && ttlSeconds > 0 ? ttlSeconds : undefined;
      const chain = await this.ca.sign(csr, {
        ...(ttl !== undefined ? { ttlSeconds: ttl } : {}),
        ...(impersonated !== undefined ? { identity: impersonated } : {}),
      });
      return { chain, csrIdentity };
    } catch (err) {
      return { chain: new Error(errorMessage(err)), ...(csrIdentity !== undefined ? { csrIdentity } : {}) };
    }
  }
}
