// The admin HTTP server (ztunnel's admin.rs, Envoy's admin): a path → handler registry on node:http with the
// listener lifecycle of style rule 1: `static async bind()` → `address()` → `close()`.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Address } from '../config/env.ts';
import type { Drain } from '../lifecycle/drain.ts';
import type { Readiness } from '../lifecycle/readiness.ts';
import type { Logger, LogRoot } from '../log/logger.ts';
import type { MetricsRegistry } from '../metrics/metrics-registry.ts';
import { AdminError } from './admin-error.ts';
import { textResponse } from './admin-handler.ts';
import type { AdminHandler, AdminResponse } from './admin-handler.ts';
import { configDumpHandler, loggingHandler, metricsHandler, quitHandler, readinessHandler } from './builtin-handlers.ts';
import type { ConfigDump } from './config-dump.ts';

// node:http through getBuiltinModule, not an ESM import: importing it builds a namespace of all its exports,
// whose lazy WebSocket getter loads Node's whole fetch client (undici, ~14 MB resident) into this process.
const { createServer } = process.getBuiltinModule('node:http');

/** The log scope of the admin server. */
export const ADMIN_SCOPE = 'admin';

/**
 * Where to listen and what to serve. Each optional object enables its endpoints:
 * readiness → `/ready` + `/healthz/ready`; metrics → `/metrics` + `/stats/prometheus`;
 * configDump → `/config_dump`; log → `/logging` (and errors are logged); drain → `/quitquitquit`.
 */
export interface AdminServerInputs {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly readiness?: Readiness;
  readonly metrics?: MetricsRegistry;
  readonly configDump?: ConfigDump;
  readonly log?: LogRoot;
  readonly drain?: Drain;
}

/** Options for register(). */
export interface RegisterOptions {
  /** Accepted methods; defaults to GET. Others get 405. */
  readonly methods?: readonly string[];
}

interface Route {
  readonly handler: AdminHandler;
  readonly methods: readonly string[];
}

/** A bound admin server. Register extra endpoints with register(); stop with close(). */
export class AdminServer {
  readonly #server: Server;
  readonly #routes = new Map<string, Route>();
  readonly #logger: Logger | undefined;

  private constructor(server: Server, logger: Logger | undefined) {
    this.#server = server;
    this.#logger = logger;
  }

  /** Binds the listener (a bind failure rejects, so startup fails instead of traffic) and adds built-ins. */
  static async bind(inputs: AdminServerInputs): Promise<AdminServer> {
    const server = createServer();
    const admin = new AdminServer(server, inputs.log?.scope(ADMIN_SCOPE));
    admin.#registerBuiltins(inputs);
    server.on('request', (req, res) => {
      admin.#serve(req, res).catch((err: unknown) => {
        admin.#logger?.error({ err }, 'admin response failed');
        res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new AdminError('ERR_ADMIN_BIND', `admin server cannot listen on ${inputs.host}:${inputs.port}: ${err.message}`, { cause: err }));
      };
      server.once('error', onError);
      server.listen({ host: inputs.host, port: inputs.port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    return admin;
  }

  /** Adds an endpoint. `path` is matched exactly (no prefixes or patterns); duplicates are refused. */
  register(path: string, handler: AdminHandler, options: RegisterOptions = {}): void {
    if (!path.startsWith('/') || path.includes('?')) {
      throw new AdminError('ERR_ADMIN_BAD_PATH', `admin path must start with "/" and carry no query: ${JSON.stringify(path)}`);
    }
    if (this.#routes.has(path)) throw new AdminError('ERR_ADMIN_DUPLICATE_PATH', `admin path ${path} is already registered`);
    const methods = (options.methods ?? ['GET']).map((m) => m.toUpperCase());
    this.#routes.set(path, { handler, methods });
  }

  /** The registered paths, sorted. */
  paths(): string[] {
    return [...this.#routes.keys()].sort();
  }

  /** The bound address (with the real port when bound to 0). */
  address(): Address {
    const addr = this.#server.address() as AddressInfo;
    return { host: addr.address, port: addr.port };
  }

  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #registerBuiltins(inputs: AdminServerInputs): void {
    this.register('/', () => textResponse(200, `admin endpoints:\n${this.paths().join('\n')}`));
    if (inputs.readiness) {
      const ready = readinessHandler(inputs.readiness, inputs.drain);
      this.register('/ready', ready);
      this.register('/healthz/ready', ready);
    }
    if (inputs.metrics) {
      const metrics = metricsHandler(inputs.metrics);
      this.register('/metrics', metrics);
      this.register('/stats/prometheus', metrics);
    }
    if (inputs.configDump) this.register('/config_dump', configDumpHandler(inputs.configDump));
    if (inputs.log) this.register('/logging', loggingHandler(inputs.log), { methods: ['GET', 'POST'] });
    if (inputs.drain) this.register('/quitquitquit', quitHandler(inputs.drain), { methods: ['POST'] });
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume(); // bodies are not used; discard them so the connection can be reused
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const method = (req.method ?? 'GET').toUpperCase();
    let response: AdminResponse;
    const route = this.#routes.get(path);
    if (!route) {
      response = textResponse(404, `unknown admin path ${path}; GET / lists the endpoints`);
    } else if (!route.methods.includes(method)) {
      response = { ...textResponse(405, `${path} accepts ${route.methods.join(', ')}, not ${method}`), headers: { allow: route.methods.join(', ') } };
    } else {
      try {
        response = await route.handler({ method, path, query });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.#logger?.error({ path, err }, 'admin handler failed');
        response = textResponse(500, `${path} failed: ${message}`);
      }
    }
    if (res.destroyed) return;
    if (!Number.isInteger(response.status) || response.status < 200 || response.status > 599) {
      response = textResponse(500, `${path} returned an invalid status ${String(response.status)}`);
    }
    res.writeHead(response.status, {
      ...response.headers,
      'content-type': response.contentType,
      'content-length': Buffer.byteLength(response.body),
      'cache-control': 'no-store',
    });
    res.end(response.body);
  }
}
