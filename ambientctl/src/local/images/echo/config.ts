// The echo server's configuration: the only place that reads its environment and arguments.
// Env: PORTS (`8080:http,9090:grpc,9000:tcp`), SERVICE_VERSION, POD_NAME, BIND_ADDRESS, LOG_LEVEL, LOG_FORMAT.
// Args (Istio echo style, added to PORTS): --port N (HTTP), --grpc N, --tcp N, --version V, --bind ADDR.
import { parseArgs } from 'node:util';
import { envString, type Env } from '@mesh/common/config';
import { parseLogLevel, type LogFormat, type LogLevel } from '@mesh/common/log';
import { EchoError } from './echo-error.ts';
import { parsePortNumber, parsePorts, type EchoPort } from './ports.ts';

/** The port served when neither PORTS nor a port flag is given (Istio's echo default). */
export const DEFAULT_HTTP_PORT = 8080;

/** Everything the echo server needs, frozen. */
export interface EchoServerConfig {
  readonly ports: readonly EchoPort[];
  /** Listen address; undefined = every address (IPv6 and IPv4 when available). */
  readonly host: string | undefined;
  readonly serviceVersion: string;
  /** Printed as `Hostname=`: POD_NAME, else the OS host name. */
  readonly hostname: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

function flagPorts(values: string[] | undefined, name: string, flag: string): EchoPort[] {
  return (values ?? []).map((v) => ({ port: parsePortNumber(v, `--${flag}`), name, kind: name === 'http' ? 'http' : (name as 'grpc' | 'tcp') }));
}

/** Builds the config from the process's arguments (after the script) and environment. */
export function echoServerConfig(args: readonly string[], env: Env, osHostname: string): EchoServerConfig {
  let values: { port?: string[]; grpc?: string[]; tcp?: string[]; version?: string; bind?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        port: { type: 'string', multiple: true },
        grpc: { type: 'string', multiple: true },
        tcp: { type: 'string', multiple: true },
        version: { type: 'string' },
        bind: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new EchoError('ERR_ECHO_BAD_ARGS', `echo: ${(err as Error).message}`, { cause: err });
  }
  const fromEnv = env['PORTS'] === undefined ? undefined : parsePorts(env['PORTS']);
  const fromFlags = [...flagPorts(values.port, 'http', 'port'), ...flagPorts(values.grpc, 'grpc', 'grpc'), ...flagPorts(values.tcp, 'tcp', 'tcp')];
  const ports = fromEnv === undefined && fromFlags.length === 0 ? [{ port: DEFAULT_HTTP_PORT, name: 'http', kind: 'http' as const }] : [...(fromEnv ?? []), ...fromFlags];
  const seen = new Set<number>();
  for (const p of ports) {
    if (p.port !== 0 && seen.has(p.port)) throw new EchoError('ERR_ECHO_BAD_PORTS', `port ${p.port} is given twice (PORTS and flags)`);
    seen.add(p.port);
  }
  const bind = values.bind ?? env['BIND_ADDRESS'];
  const format = envString(env, 'LOG_FORMAT', 'text');
  if (format !== 'text' && format !== 'json') throw new EchoError('ERR_ECHO_BAD_ARGS', `LOG_FORMAT=${format}: expected text or json`);
  return Object.freeze({
    ports: Object.freeze(ports),
    host: bind === undefined || bind.trim() === '' ? undefined : bind.trim(),
    serviceVersion: values.version ?? envString(env, 'SERVICE_VERSION', ''),
    hostname: env['POD_NAME']?.trim() || osHostname,
    logLevel: parseLogLevel(envString(env, 'LOG_LEVEL', 'info')),
    logFormat: format,
  });
}
