// Shared pieces of the ztunnel component tests: an in-process CA behind CaClient, a log sink, apps inside
// pod netns, and a ztunnel started in-process against a fake xDS server and a fake node agent.
import type net from 'node:net';
import { createLogger } from '@mesh/common/log';
import type { LogRoot } from '@mesh/common/log';
import { connectInNetns, listenInNetns } from '@mesh/common/net';
import type { ProtoCodec } from '@mesh/common/proto';
import type { CertificateAuthority } from '@mesh/common/ca';
import { startZtunnel } from '../src/app.ts';
import type { Ztunnel } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { CaClient } from '../src/identity/ca-client.ts';

/** A CaClient signing with an in-process CA, checking the CSR carries the impersonated identity. */
export function inProcessCa(ca: CertificateAuthority): CaClient & { requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    sign: async (csr, identity, ttl) => {
      requests.push(identity);
      return ca.sign(csr, { identity, ttlSeconds: ttl });
    },
    close: () => {},
  };
}

/** A CA client whose signing can be held per identity (a certificate still being fetched when traffic arrives). */
export interface HeldCa extends CaClient {
  /** Holds every request for `identity` until the returned release is called. */
  hold(identity: string): () => void;
  /** Requests for `identity` waiting on a hold. */
  waiting(identity: string): number;
}

export function holdableCa(inner: CaClient): HeldCa {
  const holds = new Map<string, { promise: Promise<void>; waiting: number }>();
  return {
    hold: (identity) => {
      let release!: () => void;
      holds.set(identity, { promise: new Promise<void>((resolve) => (release = resolve)), waiting: 0 });
      return () => {
        holds.delete(identity);
        release();
      };
    },
    waiting: (identity) => holds.get(identity)?.waiting ?? 0,
    sign: async (csr, identity, ttl) => {
      const held = holds.get(identity);
      if (held) {
        held.waiting++;
        await held.promise;
      }
      return inner.sign(csr, identity, ttl);
    },
    close: () => inner.close(),
  };
}

/** JSON log lines, kept for assertions. */
export class LogSink {
  readonly lines: Record<string, unknown>[] = [];
  write(line: string): void {
    for (const l of line.split('\n')) if (l.trim() !== '') this.lines.push(JSON.parse(l) as Record<string, unknown>);
  }
  root(): LogRoot {
    return createLogger({ format: 'json', destination: this, levels: 'info' });
  }
  /** Access-log "connection complete" records. */
  completed(): Record<string, unknown>[] {
    return this.lines.filter((l) => l.msg === 'connection complete');
  }
}

export async function startTestZtunnel(opts: { xdsAddress: string; zdsPath: string; ca: CaClient; log: LogSink; node: string }): Promise<Ztunnel> {
  const { config } = loadConfig({
    XDS_ADDRESS: `http://${opts.xdsAddress}`,
    INPOD_UDS: opts.zdsPath,
    TOKEN_PATH: '/nonexistent/istio-token',
    ADMIN_ADDR: '127.0.0.1:0',
    STATS_ADDR: '127.0.0.1:0',
    READINESS_ADDR: '127.0.0.1:0',
    NODE_NAME: opts.node,
    CONNECTION_TERMINATION_DEADLINE: '1s',
  });
  return startZtunnel(config, { ca: opts.ca, log: opts.log.root() });
}

/** An app in a pod: answers `<client ip>\n` then echoes, with half-close. */
export async function startEchoApp(netnsFd: number, port: number): Promise<net.Server> {
  const server = await listenInNetns({ netnsFd, host: '0.0.0.0', port, serverOptions: { allowHalfOpen: true } });
  server.on('connection', (s: net.Socket) => {
    s.on('error', () => {});
    s.write(`${s.remoteAddress}\n`);
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
  });
  return server;
}

export interface Reply {
  readonly data: string;
  readonly error: string | undefined;
}

/** A client app in a pod: connects (captured by the in-pod rules), sends, half-closes, reads to the end. */
export async function request(netnsFd: number, host: string, port: number, payload: string, timeoutMs = 15_000): Promise<Reply> {
  let sock: net.Socket;
  try {
    sock = await connectInNetns({ netnsFd, host, port, allowHalfOpen: true, timeoutMs });
  } catch (err) {
    return { data: '', error: (err as Error).message };
  }
  return await new Promise<Reply>((resolve) => {
    let data = '';
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = 'timeout';
      sock.destroy();
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (data += d));
    sock.on('error', (err) => (error ??= err.message));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ data, error });
    });
    sock.end(payload);
  });
}

/** An Authorization resource (istiod's proto naming: groups → rules → matches). */
export function authorization(codec: ProtoCodec, a: object) {
  return { version: String(Date.now()), resource: codec.pack('istio.security.Authorization', a) };
}

/** A workload Address resource. */
export function workload(codec: ProtoCodec, w: { uid: string; name: string; sa: string; ip: string; services?: Record<string, { ports: object[] }> }) {
  return {
    version: '1',
    resource: codec.pack('istio.workload.Address', {
      workload: {
        uid: w.uid,
        name: w.name,
        namespace: 'default',
        service_account: w.sa,
        addresses: [Buffer.from(w.ip.split('.').map(Number))],
        tunnel_protocol: 'HBONE',
        node: 'node',
        services: w.services ?? {},
      },
    }),
  };
}
