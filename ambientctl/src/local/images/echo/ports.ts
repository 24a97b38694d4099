// Which protocol each port speaks, from its name, as Istio's echo app and Kubernetes port naming do.
import { EchoError } from './echo-error.ts';

/** HTTP/1.1 and h2c on one port, gRPC (h2c), or raw TCP. */
export type PortKind = 'http' | 'grpc' | 'tcp';

/** One port the echo app serves. */
export interface EchoPort {
  readonly port: number;
  readonly name: string;
  readonly kind: PortKind;
}

/** `grpc…` → gRPC, `tcp…` → raw TCP, anything else → HTTP. */
export function portKind(name: string): PortKind {
  const lower = name.toLowerCase();
  if (lower.startsWith('grpc')) return 'grpc';
  if (lower.startsWith('tcp')) return 'tcp';
  return 'http';
}

/** A port number 1-65535 (0 is allowed for tests: any free port). */
export function parsePortNumber(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new EchoError('ERR_ECHO_BAD_PORTS', `${what}: "${text}" is not a TCP port (0-65535)`);
  }
  return n;
}

/** Parses `PORTS` (`8080:http,9090:grpc,9000:tcp,8081`); an entry without a name is HTTP. */
export function parsePorts(spec: string): EchoPort[] {
  const ports: EchoPort[] = [];
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    const portText = colon < 0 ? entry : entry.slice(0, colon);
    const name = colon < 0 ? 'http' : entry.slice(colon + 1).trim() || 'http';
    const port = parsePortNumber(portText, `PORTS entry "${entry}"`);
    if (port !== 0 && ports.some((p) => p.port === port)) {
      throw new EchoError('ERR_ECHO_BAD_PORTS', `PORTS entry "${entry}": port ${port} is listed twice`);
    }
    ports.push({ port, name, kind: portKind(name) });
  }
  return ports;
}
