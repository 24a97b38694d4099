// The echo app's answer format: `Key=value` lines, as Istio's echo app writes them (pkg/test/echo/fields.go).

/** What the app knows about itself and the connection, for every protocol. */
export interface EchoIdentity {
  readonly serviceVersion: string;
  readonly servicePort: number;
  readonly hostname: string;
  /** The peer address the app saw. */
  readonly ip: string;
}

/** One HTTP or gRPC request, as the answer describes it. */
export interface EchoRequest {
  readonly host: string;
  readonly method: string;
  readonly url: string;
  readonly proto: string;
  readonly statusCode: number;
  readonly headers: readonly (readonly [string, string])[];
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; undefined → ``. */
export function peerIp(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/** `x-forwarded-for` → `X-Forwarded-For` (Go's canonical header form, which Istio's echo app prints). */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((w) => (w === '' ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join('-');
}

/** The lines that describe the app and the peer (also what the TCP port writes on connect). */
export function identityLines(id: EchoIdentity): string[] {
  return [`ServiceVersion=${id.serviceVersion}`, `ServicePort=${id.servicePort}`, `Hostname=${id.hostname}`, `IP=${id.ip}`];
}

/** The full answer to an HTTP or gRPC request; headers sorted by name, one line per value. */
export function requestLines(id: EchoIdentity, req: EchoRequest): string[] {
  const headers = req.headers
    .map(([k, v]) => [canonicalHeaderName(k), v] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `RequestHeader=${k}:${v}`);
  return [
    `ServiceVersion=${id.serviceVersion}`,
    `ServicePort=${id.servicePort}`,
    `Host=${req.host}`,
    `Hostname=${id.hostname}`,
    `IP=${id.ip}`,
    `Method=${req.method}`,
    `URL=${req.url}`,
    `Proto=${req.proto}`,
    `StatusCode=${req.statusCode}`,
    ...headers,
  ];
}
